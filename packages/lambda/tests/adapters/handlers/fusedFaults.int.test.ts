import {
  ScanCommand,
  type BatchWriteItemCommandInput,
  type DynamoDBClient,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { generateOrders, generateProducts } from '@kse/generator';
import type { OrderItem, Product } from '@kse/schemas';
import { InMemoryJoinStore, loadReferenceTable } from '@kse/enrich';
import {
  createAwsClients,
  createDynamoDbClient,
  ensureStream,
  ensureTable,
} from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { encodeRecord, ENRICHED_TABLE_KEY } from '@kse/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEnrichHandler,
  startEventSourceMapping,
  type EventSourceMapping,
} from '../../../src/index.js';
import { putRecords, seededRandom, waitFor } from '../../helpers.js';
import { eventOf, kinesisRecord, seq } from '../../fixtures/events.js';
import { expectedRows, tableRows, type SentRecord } from './expectedRows.js';

const { kinesis } = createAwsClients(testAwsConfig());
const dynamodb = createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 });
const running: EventSourceMapping[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const SEED = 'lambda-fused-faults';
const ORDERS = 20;

async function scanSorted(client: DynamoDBClient, tableName: string) {
  const items: NonNullable<ScanCommandOutput['Items']> = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const key = (i: (typeof items)[number]) =>
    `${i.orderId!.N!.padStart(12)}/${i.itemId!.N!.padStart(12)}`;
  return items.sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * A real DynamoDB client whose BatchWriteItem calls meet throttling before they reach
 * dynalite: call 1 sends only its first half and returns the rest as `UnprocessedItems`;
 * call 2 throws `ProvisionedThroughputExceededException` once, inside the SDK's retry loop.
 */
function faultyClient() {
  const client = createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 });
  const faults = { unprocessed: 0, throttled: 0, calls: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      faults.calls += 1;
      if (faults.calls !== 1) return next(args);
      const input = args.input as BatchWriteItemCommandInput;
      const [table, requests] = Object.entries(input.RequestItems!)[0]!;
      const kept = requests.slice(0, Math.ceil(requests.length / 2));
      const held = requests.slice(kept.length);
      faults.unprocessed += held.length;
      const result = await next({ ...args, input: { ...input, RequestItems: { [table]: kept } } });
      (result.output as { UnprocessedItems?: unknown }).UnprocessedItems =
        held.length > 0 ? { [table]: held } : {};
      return result;
    },
    { step: 'initialize', name: 'injectUnprocessedItems' },
  );
  // finalizeRequest, below the SDK's retryMiddleware (priority high): inside its retry loop.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (
        context.commandName === 'BatchWriteItemCommand' &&
        faults.calls === 2 &&
        faults.throttled === 0
      ) {
        faults.throttled += 1;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ProvisionedThroughputExceededException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectThrottle' },
  );
  return { client, faults };
}

async function runFused(client: DynamoDBClient) {
  const source = uniqueName('src-fused-faults');
  await ensureStream(kinesis, { streamName: source, shardCount: 1 });
  const tableName = uniqueName('enriched-fused');
  await ensureTable(dynamodb, {
    tableName,
    partitionKey: ENRICHED_TABLE_KEY.partitionKey,
    sortKey: ENRICHED_TABLE_KEY.sortKey,
  });
  const products = [];
  for await (const product of generateProducts({ products: 50, seed: SEED }))
    products.push(product);
  const records = [];
  for await (const record of generateOrders({ orders: ORDERS, products: 50, seed: SEED })) {
    records.push({
      partitionKey: String(record.orderId),
      data: Buffer.from(encodeRecord(record)).toString('utf8'),
    });
  }
  const handler = createEnrichHandler({
    env: {},
    kinesis,
    dynamodb: client,
    topology: 'fused',
    tableName,
    joinStore: () => new InMemoryJoinStore(),
    products: await loadReferenceTable({ products }),
    batchWriter: { baseDelayMs: 1, maxDelayMs: 5, random: seededRandom(7) },
  });
  const mapping = await startEventSourceMapping({
    kinesis,
    dynamodb,
    streamName: source,
    handler,
    mappingName: uniqueName('fused'),
    checkpointTable: 'kse-lambda-test-checkpoints',
    batchSize: 100,
    pollIntervalMs: 50,
    functionResponseTypes: ['ReportBatchItemFailures'],
    retryBackoff: { baseMs: 5, capMs: 20 },
    random: seededRandom(3),
  });
  running.push(mapping);
  await putRecords(kinesis, source, records);
  await waitFor(
    () => mapping.stats().counters.recordsSucceeded === records.length,
    'every source record',
  );
  return { mapping, items: await scanSorted(dynamodb, tableName) };
}

describe('fused topology under BatchWriteItem throttling', () => {
  it('unprocessed items and a throttled call are retried within the batch: the table is exact, no batch fails', async () => {
    const reference = await runFused(dynamodb);
    const { client, faults } = faultyClient();
    const faulted = await runFused(client);
    expect(faults.unprocessed).toBeGreaterThan(0);
    expect(faults.throttled).toBe(1);
    expect(reference.items).toHaveLength(ORDERS * 2);
    // Same rows, every attribute (but the arrival and event times, which are each run's own clock), no row
    // missing or extra.
    const content = (items: typeof reference.items) =>
      items.map((item) =>
        Object.fromEntries(
          Object.entries(item).filter(([name]) => !name.includes('arrival') && name !== 'event_ts'),
        ),
      );
    expect(content(faulted.items)).toEqual(content(reference.items));
    expect(Object.keys(content(reference.items)[0]!).length).toBeGreaterThan(12);
    const counters = faulted.mapping.stats().counters;
    expect(counters.functionErrors).toBe(0);
    expect(counters.partialFailures).toBe(0);
  });
});

/**
 * A real DynamoDB client that, while `faults.on`, takes every BatchWriteItem request of
 * the given orders out of the call before it is sent (at `initialize`, so they never reach
 * dynalite) and returns them as `UnprocessedItems`, call after call: the BatchWriter's
 * budget runs out on them and on them only.
 */
function unprocessedFor(orderIds: ReadonlySet<number>) {
  const client = createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 });
  const faults = { on: true, held: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand' || !faults.on) return next(args);
      const input = args.input as BatchWriteItemCommandInput;
      const [table, requests] = Object.entries(input.RequestItems!)[0]!;
      const failing = (request: (typeof requests)[number]) =>
        orderIds.has(Number(request.PutRequest?.Item?.orderId?.N));
      const held = requests.filter(failing);
      const kept = requests.filter((request) => !failing(request));
      faults.held += held.length;
      if (kept.length === 0) {
        return { output: { UnprocessedItems: { [table]: held }, $metadata: {} }, response: {} };
      }
      const result = await next({ ...args, input: { ...input, RequestItems: { [table]: kept } } });
      (result.output as { UnprocessedItems?: unknown }).UnprocessedItems =
        held.length > 0 ? { [table]: held } : {};
      return result;
    },
    { step: 'initialize', name: 'injectPersistentUnprocessedItems' },
  );
  return { client, faults };
}

describe("fused topology when rows stay unwritten after the BatchWriter's budget", () => {
  it('returns the records whose rows were not written, commits the state before the first of them, and the retry from there lands the exact table', async () => {
    const tableName = uniqueName('enriched-fused-partial');
    await ensureTable(dynamodb, {
      tableName,
      partitionKey: ENRICHED_TABLE_KEY.partitionKey,
      sortKey: ENRICHED_TABLE_KEY.sortKey,
    });
    const products: Product[] = [];
    for await (const product of generateProducts({ products: 50, seed: SEED })) {
      products.push(product);
    }
    // One shard's batch: 10 orders and their items, each record arriving 1 ms after the last.
    const sent: SentRecord[] = [];
    for await (const record of generateOrders({ orders: 10, products: 50, seed: SEED })) {
      sent.push({ record, data: JSON.stringify(record) });
    }
    const base = 1_714_564_800_000;
    const event = eventOf(
      sent.map(({ record, data }, i) => {
        const r = kinesisRecord(data, seq(i + 1), String(record.orderId));
        r.kinesis.approximateArrivalTimestamp = (base + i) / 1000;
        return r;
      }),
    );
    const arrivals = new Map(sent.map(({ data }, i) => [data, base + i]));

    // The rows of the 4th and 8th orders are refused whatever the BatchWriter does.
    const orderIds = sent
      .filter((s) => s.record.recordType === 'Order')
      .map((s) => s.record.orderId);
    const refused = new Set([orderIds[3]!, orderIds[7]!]);
    // A row is produced by whichever of its order and its item comes later in the batch.
    const indexOf = (predicate: (s: SentRecord) => boolean) => sent.findIndex(predicate);
    const producers = sent
      .filter((s) => s.record.recordType === 'OrderItem' && refused.has(s.record.orderId))
      .map((item) =>
        Math.max(
          indexOf((s) => s === item),
          indexOf(
            (s) => s.record.recordType === 'Order' && s.record.orderId === item.record.orderId,
          ),
        ),
      );
    const failedIndexes = [...new Set(producers)].sort((a, b) => a - b);
    expect(failedIndexes.length).toBeGreaterThanOrEqual(2);
    const first = failedIndexes[0]!;
    expect(first).toBeGreaterThan(0);

    const { client, faults } = unprocessedFor(refused);
    const store = new InMemoryJoinStore();
    const handler = createEnrichHandler({
      env: {},
      kinesis,
      dynamodb: client,
      topology: 'fused',
      tableName,
      joinStore: () => store,
      followReshards: false,
      products: await loadReferenceTable({ products }),
      batchWriter: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, random: seededRandom(5) },
    });

    const response = await handler(event);
    expect(faults.held).toBeGreaterThan(0);
    expect(response.batchItemFailures).toEqual(
      failedIndexes.map((i) => ({ itemIdentifier: event.Records[i]!.kinesis.sequenceNumber })),
    );
    // State follows what was acknowledged: the records before the first failure are
    // committed (their orders are in state), nothing from it on.
    const committed = await store.get(orderIds);
    expect(committed.checkpoint).toBe(event.Records[first - 1]!.kinesis.sequenceNumber);
    const held = new Set(sent.slice(0, first).map((s) => s.record.orderId));
    expect([...committed.states.keys()].sort()).toEqual([...held].sort());
    for (const state of committed.states.values()) {
      const seen = sent
        .slice(0, first)
        .map((s) => s.record)
        .filter((r) => r.orderId === state.orderId && r.recordType === 'OrderItem')
        .map((r) => (r as OrderItem).itemId);
      expect(state.items.map((i) => i.record.itemId)).toEqual(seen);
    }

    // Lambda retries from the first failed record; the writes now go through.
    faults.on = false;
    const retry = await handler(eventOf(event.Records.slice(first)));
    expect(retry.batchItemFailures).toEqual([]);
    expect((await store.get(orderIds)).checkpoint).toBe(
      event.Records.at(-1)!.kinesis.sequenceNumber,
    );

    const scanned = await scanSorted(dynamodb, tableName);
    const expected = expectedRows(sent, products, arrivals);
    expect(expected).toHaveLength(20);
    expect(tableRows(scanned)).toEqual(expected);
  });
});
