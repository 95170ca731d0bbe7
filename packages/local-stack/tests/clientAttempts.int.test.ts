import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NO_FAULTS,
  createDynamoDbClient,
  createKinesisClient,
  startFaultProxy,
  type FaultProxy,
} from '../src/index.js';
import { testAwsConfig } from '../src/testing/index.js';

// The factories give every client kse's retry strategy (sdkClientConfig's), which the SDK
// uses instead of the client's `maxAttempts`: the attempts asked for must reach it. Every
// call through a proxy that throttles them all makes exactly that many tries.
const config = testAwsConfig();
let proxy: FaultProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function throttlingAll(service: 'kinesis' | 'dynamodb'): Promise<FaultProxy> {
  proxy = await startFaultProxy({
    service,
    upstream: config.endpoints[service]!,
    spec: { ...NO_FAULTS, throttle: 1 },
  });
  return proxy;
}

describe('client factories: attempts per call', () => {
  it('take maxAttempts from the overrides', async () => {
    const p = await throttlingAll('kinesis');
    const kinesis = createKinesisClient(
      { ...config, endpoints: { ...config.endpoints, kinesis: p.endpoint } },
      { maxAttempts: 4 },
    );
    try {
      await expect(
        kinesis.send(new ListShardsCommand({ StreamName: 'attempts' })),
      ).rejects.toMatchObject({ name: 'LimitExceededException' });
      expect(p.counters.injected.throttle).toBe(4);
    } finally {
      kinesis.destroy();
    }
  });

  it('take maxAttempts from the config (AWS_MAX_ATTEMPTS, options)', async () => {
    const p = await throttlingAll('dynamodb');
    const dynamodb = createDynamoDbClient({
      ...config,
      endpoints: { ...config.endpoints, dynamodb: p.endpoint },
      maxAttempts: 2,
    });
    try {
      await expect(
        dynamodb.send(new GetItemCommand({ TableName: 'attempts', Key: { pk: { S: 'a' } } })),
      ).rejects.toMatchObject({ $metadata: { attempts: 2 } });
      expect(p.counters.injected.throttle).toBe(2);
    } finally {
      dynamodb.destroy();
    }
  });

  it('make the default 3 tries otherwise', async () => {
    const p = await throttlingAll('kinesis');
    const kinesis = createKinesisClient({
      ...config,
      endpoints: { ...config.endpoints, kinesis: p.endpoint },
    });
    try {
      await expect(
        kinesis.send(new ListShardsCommand({ StreamName: 'attempts' })),
      ).rejects.toMatchObject({ $metadata: { attempts: 3 } });
      expect(p.counters.injected.throttle).toBe(3);
    } finally {
      kinesis.destroy();
    }
  });
});
