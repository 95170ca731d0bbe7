import { GetItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryCounters } from '@kse/core';
import { createDynamoDbClient, ensureTable } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import {
  ENRICHED_TABLE_KEY,
  fromDynamoItem,
  type AttributeValueLike,
  type EnrichedOrderItem,
} from '@kse/schemas';
import { BatchWriter, buildEnrichedRow, isEnrichError } from '../src/index.js';
import { T0, item, order } from './fixtures.js';

const config = testAwsConfig();
const client = createDynamoDbClient(config, { maxAttempts: 1 });
const noSleep = async (): Promise<void> => undefined;

function rows(count: number, orderBase = 1): EnrichedOrderItem[] {
  return Array.from({ length: count }, (_, n) =>
    buildEnrichedRow(
      order(orderBase + Math.floor(n / 2)),
      item(orderBase + Math.floor(n / 2), 999900001 + (n % 2)),
      null,
      {
        eventTs: T0 + n,
        orderArrivalTs: T0,
        itemArrivalTs: T0 + n,
      },
    ),
  );
}

async function newTable(): Promise<string> {
  const tableName = uniqueName('enriched');
  await ensureTable(client, {
    tableName,
    partitionKey: ENRICHED_TABLE_KEY.partitionKey,
    sortKey: ENRICHED_TABLE_KEY.sortKey,
  });
  return tableName;
}

async function scanAll(tableName: string): Promise<EnrichedOrderItem[]> {
  const out: EnrichedOrderItem[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }),
    );
    out.push(
      ...(page.Items ?? []).map((i) => fromDynamoItem(i as Record<string, AttributeValueLike>)),
    );
    start = page.LastEvaluatedKey as typeof start;
  } while (start !== undefined);
  return out;
}

/**
 * SDK middleware that makes DynamoDB process only part of each BatchWriteItem call: it
 * removes every `nth` request but the first before sending and hands them back as UnprocessedItems,
 * as a throttled table does. Returns the number of calls seen and their sizes.
 */
function injectUnprocessed(
  target: DynamoDBClient,
  nth: number,
): { sizes: number[]; remove: () => void } {
  const sizes: number[] = [];
  const name = uniqueName('unprocessed');
  target.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as { RequestItems: Record<string, unknown[]> };
      const [table, requests] = Object.entries(input.RequestItems)[0]!;
      sizes.push(requests.length);
      // The first request of a call is always processed (DynamoDB makes progress).
      const kept = requests.filter((_, i) => i === 0 || i % nth !== 0);
      const held = requests.filter((_, i) => i !== 0 && i % nth === 0);
      const result = await next({ ...args, input: { ...input, RequestItems: { [table]: kept } } });
      const output = result.output as { UnprocessedItems?: Record<string, unknown[]> };
      if (held.length > 0) output.UnprocessedItems = { [table]: held };
      return result;
    },
    { step: 'initialize', name },
  );
  return { sizes, remove: () => target.middlewareStack.remove(name) };
}

afterAll(() => client.destroy());

describe('BatchWriter on the local stack', () => {
  let tableName: string;
  beforeAll(async () => {
    tableName = await newTable();
  });

  it('writes every row exactly once when each call leaves a third unprocessed', async () => {
    const table = await newTable();
    const faulty = createDynamoDbClient(config, { maxAttempts: 1 });
    const fault = injectUnprocessed(faulty, 3);
    const delays: number[] = [];
    const retryCounters = new RetryCounters();
    const writer = new BatchWriter({
      client: faulty,
      tableName: table,
      concurrency: 3,
      maxRetries: 10,
      retryCounters,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });
    const input = rows(130);
    const result = await writer.write(input);
    fault.remove();
    faulty.destroy();
    expect(result).toMatchObject({ written: 130, failed: 0 });
    expect(result.retried).toBeGreaterThan(0);
    expect(retryCounters.byKind).toEqual({ 'dynamodb.UnprocessedItems': result.retried });
    expect(Math.max(...fault.sizes)).toBeLessThanOrEqual(25);
    expect(delays.every((d) => d <= 5_000)).toBe(true);
    const stored = await scanAll(table);
    expect(stored.length).toBe(130);
    const byKey = new Map(stored.map((r) => [`${r.orderId}/${r.itemId}`, r]));
    for (const row of input) expect(byKey.get(`${row.orderId}/${row.itemId}`)).toEqual(row);
  });

  it('waits full-jitter delays doubling from baseDelayMs between re-sends', async () => {
    const table = await newTable();
    const faulty = createDynamoDbClient(config, { maxAttempts: 1 });
    const fault = injectUnprocessed(faulty, 1); // one item per call gets through
    const delays: number[] = [];
    const writer = new BatchWriter({
      client: faulty,
      tableName: table,
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    });
    const result = await writer.write(rows(4, 600));
    fault.remove();
    faulty.destroy();
    expect(result).toMatchObject({ written: 4, failed: 0, calls: 4 });
    // base 50 ms: re-send n waits up to 50 · 2^(n-1) ms; half of it with random 0.5.
    expect(delays).toEqual([25, 50, 100]);
  });

  it('folds duplicate keys in one call and keeps the last row', async () => {
    const [a, b] = rows(2, 500);
    const newer = { ...a!, itemStatus: 'Shipped', event_ts: T0 + 99 };
    const writer = new BatchWriter({ client, tableName, sleep: noSleep });
    const result = await writer.write([a!, b!, newer]);
    expect(result).toMatchObject({ written: 2, folded: 1, failed: 0, calls: 1 });
    const got = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { orderId: { N: '500' }, itemId: { N: String(a!.itemId) } },
      }),
    );
    expect(fromDynamoItem(got.Item! as Record<string, AttributeValueLike>)).toEqual(newer);
  });

  it('throws KSE_WRITE_FAILED listing the keys when the retry budget runs out', async () => {
    const faulty = createDynamoDbClient(config, { maxAttempts: 1 });
    const fault = injectUnprocessed(faulty, 1); // one item per call gets through
    const writer = new BatchWriter({
      client: faulty,
      tableName,
      maxRetries: 2,
      sleep: noSleep,
      random: () => 0,
    });
    const error = await writer.write(rows(4, 700)).catch((e: unknown) => e);
    fault.remove();
    faulty.destroy();
    expect(isEnrichError(error) && error.code).toBe('KSE_WRITE_FAILED');
    if (!isEnrichError(error)) throw error;
    // 4 rows, one written per call, 3 calls (1 + maxRetries): one row is left.
    expect(error.unwrittenKeys).toEqual(['701/999900002']);
    expect(error.attempts).toEqual([
      'attempt 1: 3 of 4 unprocessed',
      'attempt 2: 2 of 3 unprocessed',
      'attempt 3: 1 of 2 unprocessed',
    ]);
    const stored = await scanAll(tableName);
    expect(stored.filter((r) => r.orderId === 700 || r.orderId === 701).length).toBe(3);
  });

  it('surfaces a non-retryable error with every key of the call', async () => {
    const writer = new BatchWriter({
      client,
      tableName: uniqueName('missing-table'),
      sleep: noSleep,
    });
    const error = await writer.write(rows(3, 800)).catch((e: unknown) => e);
    expect(isEnrichError(error) && error.code).toBe('KSE_WRITE_FAILED');
    if (!isEnrichError(error)) throw error;
    expect(error.retryable).toBe(false);
    expect([...error.unwrittenKeys].sort()).toEqual([
      '800/999900001',
      '800/999900002',
      '801/999900001',
    ]);
    expect(error.message).toContain('ResourceNotFoundException');
  });

  it('writes through a client of any maxAttempts (as AWS_MAX_ATTEMPTS=5 builds one)', async () => {
    const eager = createDynamoDbClient(config, { maxAttempts: 5 });
    const table = await newTable();
    const written = rows(4, 900);
    const result = await new BatchWriter({ client: eager, tableName: table }).write(written);
    eager.destroy();
    expect(result.written).toBe(4);
    const landed = await scanAll(table);
    expect(landed.map((r) => `${r.orderId}/${r.itemId}`).sort()).toEqual(
      written.map((r) => `${r.orderId}/${r.itemId}`).sort(),
    );
  });
});
