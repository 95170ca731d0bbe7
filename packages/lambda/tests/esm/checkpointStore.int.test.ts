import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAwsClients, ensureStream } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, startEventSourceMapping, type LambdaError } from '../../src/index.js';
import { putRecords, waitFor } from '../helpers.js';

const { kinesis, dynamodb } = createAwsClients(testAwsConfig());
const TABLE = 'kse-lambda-test-checkpoints';

describe('CheckpointStore leases', () => {
  it('takes a lease held by another worker only once it has expired', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const mappingName = uniqueName('lease');
    const store = (workerId: string) =>
      new CheckpointStore({
        dynamodb,
        tableName: TABLE,
        mappingName,
        workerId,
        leaseDurationMs: 10_000,
        now,
      });
    const x = store('worker-x');
    const y = store('worker-y');
    await x.ensureTable();

    const taken = await x.acquire('shard-1', () => 'TRIM_HORIZON');
    expect(taken).toMatchObject({ leaseOwner: 'worker-x', leaseCounter: 1 });
    expect(await y.acquire('shard-1', () => 'TRIM_HORIZON')).toBeUndefined();

    clock += 9_000;
    await x.renew('shard-1'); // now held until clock + 10 s
    clock += 9_000;
    expect(await y.acquire('shard-1', () => 'TRIM_HORIZON')).toBeUndefined();
    await x.checkpoint('shard-1', '42');

    clock += 2_000; // expired: x did not renew in time
    const takenOver = await y.acquire('shard-1', () => 'TRIM_HORIZON');
    expect(takenOver).toMatchObject({ leaseOwner: 'worker-y', leaseCounter: 2, checkpoint: '42' });
    await expect(x.checkpoint('shard-1', '43')).rejects.toMatchObject({
      code: 'KSE_LAMBDA_LEASE_LOST',
    });
    await expect(x.renew('shard-1')).rejects.toMatchObject({ code: 'KSE_LAMBDA_LEASE_LOST' });
    expect((await y.get('shard-1'))?.checkpoint).toBe('42');
  });
});

describe('a checkpoint write that keeps failing', () => {
  it("stops the shard's worker visibly: state failed, onShardError, failedShards", async () => {
    const streamName = uniqueName('esm-cpfail');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    // A client of the checkpoint table whose checkpoint writes (UpdateItem SET checkpoint)
    // fail, injected before the call is sent; every other call goes through.
    const config = testAwsConfig();
    const failing = new DynamoDBClient({
      region: config.region,
      endpoint: config.endpoints.dynamodb,
      credentials: config.credentials,
    });
    let refused = 0;
    failing.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (input.UpdateExpression?.includes('checkpoint = :cp')) {
          refused += 1;
          throw Object.assign(new Error('injected: checkpoint write refused'), {
            name: 'InternalServerError',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failCheckpoints' },
    );
    const errors: LambdaError[] = [];
    const processed: number[] = [];
    const mapping = await startEventSourceMapping({
      kinesis,
      dynamodb: failing,
      streamName,
      checkpointTable: TABLE,
      mappingName: uniqueName('cpfail'),
      pollIntervalMs: 50,
      retryBackoff: { baseMs: 1, capMs: 5 },
      checkpointRetryAttempts: 3,
      handler: async (event) => {
        processed.push(event.Records.length);
      },
      onShardError: (error) => errors.push(error),
    });
    try {
      await putRecords(kinesis, streamName, [{ partitionKey: 'k', data: 'x' }]);
      await waitFor(() => errors.length > 0, 'the shard error');
      const stats = mapping.stats();
      const shard = Object.values(stats.shards)[0]!;
      expect(shard.state).toBe('failed');
      expect(shard.checkpoint).toBeUndefined();
      expect(refused).toBe(4); // the first try and 3 retries
      expect(errors[0]).toMatchObject({ code: 'KSE_LAMBDA_AWS_FAILED' });
      expect(errors[0]!.message).toMatch(
        /checkpoint of shard shardId-000000000000 at \d+ failed 4 times/,
      );
      expect(stats.failedShards).toEqual([{ shardId: shard.shardId, error: errors[0]!.message }]);
      expect(processed).toEqual([1]);
    } finally {
      await mapping.stop();
      failing.destroy();
    }
  });
});
