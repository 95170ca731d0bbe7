import { createServer } from 'node:net';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { openAws, spawnLocalStack } from '../src/index.js';
import { testAwsConfig } from '../src/testing/index.js';

describe('openAws', () => {
  it('starts the embedded stack when nothing is configured, and close() stops it', async () => {
    const aws = await openAws({ env: {} });
    expect(aws.stack).toBeDefined();
    expect(aws.config.endpoints).toEqual(aws.stack!.endpoints);
    const { StreamNames } = await aws.clients.kinesis.send(new ListStreamsCommand({}));
    expect(StreamNames).toEqual([]);
    await aws.close();
    await expect(aws.clients.kinesis.send(new ListStreamsCommand({}))).rejects.toThrow();
  });

  it('starts the embedded stack whatever AWS settings the environment holds', async () => {
    const aws = await openAws({
      env: {
        AWS_REGION: 'eu-west-1',
        AWS_PROFILE: 'prod',
        AWS_ACCESS_KEY_ID: 'AK',
        AWS_SECRET_ACCESS_KEY: 'SK',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      },
    });
    try {
      expect(aws.stack).toBeDefined();
      expect(aws.config.endpoints).toEqual(aws.stack!.endpoints);
      expect(aws.config.region).toBe('us-east-1');
      const { StreamNames } = await aws.clients.kinesis.send(new ListStreamsCommand({}));
      expect(StreamNames).toEqual([]);
    } finally {
      await aws.close();
    }
  });

  it('uses the endpoints of the environment on the aws target and starts nothing', async () => {
    const { endpoints } = testAwsConfig();
    const aws = await openAws({
      target: 'aws',
      env: {
        AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        AWS_ENDPOINT_URL_S3: endpoints.s3,
      },
      maxAttempts: 2,
    });
    try {
      expect(aws.stack).toBeUndefined();
      expect(aws.config).toMatchObject({ endpoints, maxAttempts: 2 });
      expect(await aws.clients.kinesis.config.maxAttempts()).toBe(2);
      const { $metadata } = await aws.clients.kinesis.send(new ListStreamsCommand({}));
      expect($metadata.httpStatusCode).toBe(200);
    } finally {
      await aws.close();
    }
  });
});

describe('spawnLocalStack', () => {
  it('reports a taken port from the child process as KSE_PORT_IN_USE with the setting', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(spawnLocalStack({ ports: { kinesis: port } })).rejects.toMatchObject({
        code: 'KSE_PORT_IN_USE',
        setting: 'ports.kinesis',
      });
    } finally {
      await new Promise((done) => taken.close(done));
    }
  }, 60_000);
});
