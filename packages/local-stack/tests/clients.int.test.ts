import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, createDynamoDbClient } from '../src/index.js';
import { testAwsConfig } from '../src/testing/index.js';

describe('createDynamoDbClient', () => {
  // Regression: the SDK tags its credentials object ($source); given the frozen
  // LOCAL_CREDENTIALS itself, every request failed with a TypeError before being sent.
  it('signs requests with the frozen LOCAL_CREDENTIALS object', async () => {
    expect(Object.isFrozen(LOCAL_CREDENTIALS)).toBe(true);
    const dynamodb = createDynamoDbClient({ ...testAwsConfig(), credentials: LOCAL_CREDENTIALS });
    try {
      const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
      expect(Array.isArray(TableNames)).toBe(true);
    } finally {
      dynamodb.destroy();
    }
  });
});
