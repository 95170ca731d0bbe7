import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { DynamoDbJoinStore, ensureJoinStateTable } from '../src/index.js';
import { runSchedule, scheduleCaseArb, violation, type StoreFactory } from './joinSchedule.js';

/** Fewer runs than in memory (each is many DynamoDB round trips); `KSE_PROPERTY_DYNAMODB_RUNS` for more. */
const RUNS = Number(process.env.KSE_PROPERTY_DYNAMODB_RUNS ?? 25);
const SEED = Number(process.env.KSE_PROPERTY_SEED ?? 18);

const client = createDynamoDbClient(testAwsConfig());
const tableName = uniqueName('join-schedule');

beforeAll(async () => {
  await ensureJoinStateTable(client, tableName);
});
afterAll(() => client.destroy());

/** One scope per shard and run; every `open` is a new store object on the same table (a crash). */
function dynamoStores(): StoreFactory & { shards: Set<string> } {
  const run = uniqueName('run');
  const shards = new Set<string>();
  const open = (shardId: string): DynamoDbJoinStore => {
    shards.add(shardId);
    return new DynamoDbJoinStore({ client, tableName, scope: `${run}-${shardId}` });
  };
  return {
    shards,
    open,
    held: async (shardId) => (await open(shardId).all()).map((state) => state.orderId),
  };
}

describe('IntervalJoin under random schedules (property, DynamoDB store)', () => {
  it(
    'emits every pair within the window, dead-letters every record without a partner once, nothing else — through failed outputs, crashes, sweeps and reshards',
    async () => {
      const started = Date.now();
      let steps = 0;
      let faults = 0;
      await fc.assert(
        fc.asyncProperty(scheduleCaseArb(8), async (c) => {
          const stores = dynamoStores();
          const out = await runSchedule(c, stores);
          steps += out.steps;
          faults += out.faults;
          expect(violation(c, out)).toBeUndefined();
          for (const shardId of stores.shards) expect(await stores.held(shardId)).toEqual([]);
        }),
        { seed: SEED, numRuns: RUNS },
      );
      if (process.env.KSE_PROPERTY_DYNAMODB_RUNS !== undefined) {
        console.log(
          `joinSchedule (DynamoDB): ${RUNS} runs, seed ${SEED}, ${steps} batches and sweeps, ${faults} faults, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      }
    },
    // Room for the long run (`test:property:long`) on a busy machine.
    Math.max(900_000, RUNS * 5_000),
  );
});
