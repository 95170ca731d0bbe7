import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryJoinStore } from '../src/index.js';
import { runSchedule, scheduleCaseArb, violation, type StoreFactory } from './joinSchedule.js';

/** Runs (and seed) of `npm test`; `KSE_PROPERTY_RUNS` / `KSE_PROPERTY_SEED` for a longer run. */
const RUNS = Number(process.env.KSE_PROPERTY_RUNS ?? 100);
const SEED = Number(process.env.KSE_PROPERTY_SEED ?? 18);

function memoryStores(): StoreFactory & { stores: Map<string, InMemoryJoinStore> } {
  const stores = new Map<string, InMemoryJoinStore>();
  const open = (shardId: string): InMemoryJoinStore => {
    let store = stores.get(shardId);
    if (store === undefined) {
      store = new InMemoryJoinStore({ bucketMs: 5_000 });
      stores.set(shardId, store);
    }
    return store;
  };
  return {
    stores,
    open,
    held: async (shardId) => (await open(shardId).all()).map((state) => state.orderId),
  };
}

describe('IntervalJoin under random schedules (property, in-memory store)', () => {
  it(
    'emits every pair within the window, dead-letters every record without a partner once, nothing else — through failed outputs, crashes, sweeps and reshards',
    async () => {
      const started = Date.now();
      let steps = 0;
      let faults = 0;
      await fc.assert(
        fc.asyncProperty(scheduleCaseArb(), async (c) => {
          const stores = memoryStores();
          const out = await runSchedule(c, stores);
          steps += out.steps;
          faults += out.faults;
          expect(violation(c, out)).toBeUndefined();
          for (const shardId of stores.stores.keys())
            expect(await stores.held(shardId)).toEqual([]);
        }),
        { seed: SEED, numRuns: RUNS },
      );
      if (process.env.KSE_PROPERTY_RUNS !== undefined) {
        console.log(
          `joinSchedule (memory): ${RUNS} runs, seed ${SEED}, ${steps} batches and sweeps, ${faults} faults, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      }
    },
    // Room for the long run (`test:property:long`) on a busy machine.
    Math.max(600_000, RUNS * 2_000),
  );
});
