import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../src/index.js';
import { TEST_DYNAMODB_ENV, testAwsConfig } from '../src/testing/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('vitest harness', () => {
  const config = testAwsConfig();
  const clients = createAwsClients(config);
  afterAll(() => destroyAwsClients(clients));

  it('hands the workers loopback endpoints of one running stack', async () => {
    for (const endpoint of Object.values(config.endpoints)) {
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }
    const { $metadata } = await clients.kinesis.send(new ListStreamsCommand({}));
    expect($metadata.httpStatusCode).toBe(200);
  });

  it('serves DynamoDB from the implementation KSE_TEST_DYNAMODB selects', async () => {
    // DynamoDB Local answers with UUID request ids, dynalite with 52-character ones.
    const { $metadata } = await clients.dynamodb.send(new ListTablesCommand({}));
    const expectDynamoDbLocal = process.env[TEST_DYNAMODB_ENV] === 'dynamodb-local';
    expect({ dynamoDbLocal: UUID.test($metadata.requestId ?? '') }).toEqual({
      dynamoDbLocal: expectDynamoDbLocal,
    });
  });
});
