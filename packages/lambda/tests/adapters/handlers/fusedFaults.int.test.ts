import {
  ScanCommand,
  type BatchWriteItemCommandInput,
  type DynamoDBClient,
  type ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { generateOrders, generateProducts } from '@kse/generator';
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
