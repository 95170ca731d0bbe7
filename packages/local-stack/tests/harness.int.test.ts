import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients, testAwsConfig } from '../src/index.js';

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
});
