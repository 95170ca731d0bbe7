import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startEventSourceMapping } from '../../src/index.js';

describe('event source mapping options', () => {
  const base = {
    kinesis: new KinesisClient({ region: 'us-east-1' }),
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    streamName: 'OrdersStream',
    handler: async () => undefined,
  };

  it('rejects a batchSize over 10000, naming it, before any AWS call', async () => {
    await expect(startEventSourceMapping({ ...base, batchSize: 10_001 })).rejects.toMatchObject({
      code: 'KSE_LAMBDA_CONFIG_INVALID',
      variable: 'batchSize',
    });
  });

  it('rejects a parallelizationFactor over 10', async () => {
    await expect(
      startEventSourceMapping({ ...base, parallelizationFactor: 11 }),
    ).rejects.toMatchObject({ variable: 'parallelizationFactor' });
  });

  it('requires a timestamp with AT_TIMESTAMP', async () => {
    await expect(
      startEventSourceMapping({ ...base, startingPosition: 'AT_TIMESTAMP' }),
    ).rejects.toMatchObject({ variable: 'startingPositionTimestamp' });
  });
});
