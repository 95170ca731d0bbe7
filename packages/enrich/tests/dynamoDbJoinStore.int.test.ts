import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import {
  DynamoDbJoinStore,
  InMemoryJoinStore,
  IntervalJoin,
  ensureJoinStateTable,
  isEnrichError,
  type JoinKeyState,
  type TimedRecord,
} from '../src/index.js';
import { T0, at, committed, item, order, product } from './fixtures.js';

const client = createDynamoDbClient(testAwsConfig());
const tableName = uniqueName('join-state');
const products = new Map([[999900001, product(999900001, 'Oak Desk')]]);

beforeAll(async () => {
  await ensureJoinStateTable(client, tableName);
});
afterAll(() => client.destroy());

/**
 * SDK middleware that lets each BatchWriteItem call write only its first request and hands
 * the rest back as UnprocessedItems, as a throttled table does.
 */
function oneWritePerCall(target: DynamoDBClient): () => void {
  const name = uniqueName('unprocessed');
  target.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, unknown[]> };
      const [table, requests] = Object.entries(input.RequestItems)[0]!;
      const result = await next({
        ...args,
        input: { ...input, RequestItems: { [table]: requests.slice(0, 1) } },
      });
      const output = result.output as { UnprocessedItems?: Record<string, unknown[]> };
      if (requests.length > 1) output.UnprocessedItems = { [table]: requests.slice(1) };
      return result;
    },
    { step: 'initialize', name },
  );
  return () => target.middlewareStack.remove(name);
}

function states(count: number): JoinKeyState[] {
  return Array.from({ length: count }, (_, n) => ({
    orderId: 900 + n,
    order: { record: order(900 + n), time: T0, arrivalTime: T0, matched: false },
    items: [],
    expiresAt: T0 + 60_000,
  }));
}

/** A fresh join and store, as a new Lambda container would build them. */
function invocation(scope: string): IntervalJoin {
  const store = new DynamoDbJoinStore({ client, tableName, scope });
  return new IntervalJoin({ store, products, windowMs: 60_000 });
}

describe('DynamoDbJoinStore', () => {
  it('joins an item from one invocation with its order in the next', async () => {
    const scope = uniqueName('shard');
    const first = await committed(invocation(scope).process([at(item(1, 999900001), T0, 1)]));
    const second = await committed(invocation(scope).process([at(order(1), T0 + 30_000, 2)]));
    expect(first.rows).toEqual([]);
    expect(second.rows).toEqual([
      expect.objectContaining({
        orderId: 1,
        itemId: 999900001,
        productName: 'Oak Desk',
        event_ts: T0 + 30_000,
      }),
    ]);
  });

  it('dead-letters an unmatched item in a later invocation once the watermark passes it', async () => {
    const scope = uniqueName('shard');
    await committed(invocation(scope).process([at(item(2, 999900001), T0, 'seq-1')]));
    const later = await committed(invocation(scope).process([at(order(3), T0 + 61_000, 'seq-2')]));
    expect(later.deadLetters).toEqual([
      expect.objectContaining({
        code: 'KSE_JOIN_UNMATCHED',
        position: 'seq-1',
        data: item(2, 999900001),
      }),
    ]);
  });

  it('keeps scopes apart', async () => {
    const a = uniqueName('shard');
    const b = uniqueName('shard');
    await committed(invocation(a).process([at(item(4, 999900001), T0)]));
    const other = await committed(invocation(b).process([at(order(4), T0 + 1)]));
    expect(other.rows).toEqual([]);
  });

  it('re-sends unprocessed items with full-jitter delays doubling from baseDelayMs', async () => {
    const faulty = createDynamoDbClient(testAwsConfig(), { maxAttempts: 1 });
    const remove = oneWritePerCall(faulty);
    const delays: number[] = [];
    const store = new DynamoDbJoinStore({
      client: faulty,
      tableName,
      scope: uniqueName('shard'),
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });
    await store.commit({ put: states(4), delete: [], maxTime: undefined });
    remove();
    faulty.destroy();
    // base 50 ms: retry n waits up to 50 · 2^(n-1) ms; half of it with random 0.5.
    expect(delays).toEqual([25, 50, 100]);
    const { states: stored } = await store.get([900, 901, 902, 903]);
    expect([...stored.keys()].sort()).toEqual([900, 901, 902, 903]);
  });

  it('fails with KSE_STATE_STORE_FAILED listing every attempt when the retries run out', async () => {
    const faulty = createDynamoDbClient(testAwsConfig(), { maxAttempts: 1 });
    const remove = oneWritePerCall(faulty);
    const store = new DynamoDbJoinStore({
      client: faulty,
      tableName,
      scope: uniqueName('shard'),
      maxRetries: 1,
      sleep: async () => undefined,
    });
    const error = await store
      .commit({ put: states(4), delete: [], maxTime: undefined })
      .catch((e: unknown) => e);
    remove();
    faulty.destroy();
    expect(
      isEnrichError(error) && {
        code: error.code,
        message: error.message,
        retryable: error.retryable,
        attempts: error.attempts,
      },
    ).toEqual({
      code: 'KSE_STATE_STORE_FAILED',
      message: 'KSE_STATE_STORE_FAILED: 2 items unprocessed by BatchWriteItem after 2 attempts',
      retryable: true,
      attempts: [
        'attempt 1: 3 items unprocessed by BatchWriteItem',
        'attempt 2: 2 items unprocessed by BatchWriteItem',
      ],
    });
  });

  it('refuses a backoff option that is not a finite number of ms', () => {
    const error = (() => {
      try {
        return new DynamoDbJoinStore({ client, tableName, maxDelayMs: Number.NaN });
      } catch (e) {
        return e;
      }
    })();
    expect(isEnrichError(error) && error.code).toBe('KSE_OPTIONS_INVALID');
  });

  it('produces the same rows and dead letters as the in-memory store over many invocations', async () => {
    const scope = uniqueName('shard');
    const records: TimedRecord[] = [];
    for (let n = 0; n < 60; n += 1) {
      const t = T0 + n * 2_000;
      if (n % 7 !== 3) records.push(at(order(100 + n), t, `o${n}`));
      records.push(at(item(100 + n, 999900001), t + ((n * 37) % 5) * 20_000, `i${n}`));
      if (n % 5 === 0)
        records.push(at(item(100 + n, 999900001), t + ((n * 37) % 5) * 20_000, `i${n}`));
    }
    records.sort((x, y) => x.arrivalTime - y.arrivalTime);
    const memory = new IntervalJoin({ store: new InMemoryJoinStore(), products, windowMs: 60_000 });
    const fromMemory: string[] = [];
    const fromDynamo: string[] = [];
    for (let i = 0; i < records.length; i += 17) {
      const batch = records.slice(i, i + 17);
      const m = await committed(memory.process(batch));
      const d = await committed(invocation(scope).process(batch));
      fromMemory.push(
        ...m.rows.map((r) => JSON.stringify(r)),
        ...m.deadLetters.map((l) => String(l.position)),
      );
      fromDynamo.push(
        ...d.rows.map((r) => JSON.stringify(r)),
        ...d.deadLetters.map((l) => String(l.position)),
      );
    }
    const mEnd = await committed(memory.flush());
    const dEnd = await committed(invocation(scope).flush());
    fromMemory.push(...mEnd.deadLetters.map((l) => String(l.position)));
    fromDynamo.push(...dEnd.deadLetters.map((l) => String(l.position)));
    // Multisets, not sets: a row or a dead letter emitted twice by either store shows.
    expect([...fromDynamo].sort()).toEqual([...fromMemory].sort());
    expect(fromMemory.filter((x) => x.startsWith('i')).length).toBeGreaterThan(0);
    // Flushed: nothing of this scope is left but the meta item.
    const leftover = await new DynamoDbJoinStore({ client, tableName, scope }).expiring(
      Number.POSITIVE_INFINITY,
    );
    expect(leftover).toEqual([]);
  });

  it('an ifUnchanged commit (the sweeper) leaves a key the consumer changed meanwhile, and reports it', async () => {
    const scope = uniqueName('shard');
    await committed(invocation(scope).process([at(item(7, 999900001), T0)]));
    await committed(invocation(scope).process([at(item(8, 999900001), T0)]));
    const sweeper = new DynamoDbJoinStore({ client, tableName, scope });
    const read = await sweeper.get([7, 8]);
    const seven = read.states.get(7)!;
    const eight = read.states.get(8)!;
    expect(seven.version).toBeTypeOf('number');
    // The consumer writes key 7 again after the sweeper read it.
    await committed(invocation(scope).process([at(order(7), T0 + 1)]));
    const result = await sweeper.commit({
      put: [],
      delete: [7, 8],
      maxTime: undefined,
      ifUnchanged: true,
      versions: new Map([
        [7, seven.version],
        [8, eight.version],
      ]),
    });
    expect(result.conflicts).toEqual([7]);
    const after = await sweeper.get([7, 8]);
    expect([...after.states.keys()]).toEqual([7]);
    expect(after.states.get(7)!.order).toBeDefined();
  });

  it('sets TTL from the wall clock of the write, whatever the join time (event time of old data)', async () => {
    const scope = uniqueName('shard');
    const wall = Date.parse('2030-06-01T00:00:00.000Z');
    const store = new DynamoDbJoinStore({
      client,
      tableName,
      scope,
      ttlMs: 3_600_000,
      clock: () => wall,
    });
    const join = new IntervalJoin({ store, time: 'event', windowMs: 60_000 });
    await committed(join.process([at(item(9, 999900001), T0)])); // event time 2026-01-01
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: `${scope}#9` } } }),
    );
    expect(Number(Item?.ttl?.N)).toBe((wall + 3_600_000) / 1000);
  });
});
