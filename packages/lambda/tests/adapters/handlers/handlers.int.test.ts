import { ScanCommand, type DynamoDBClient, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { generateOrders, generateProducts } from '@kse/generator';
import { ensureJoinStateTable, InMemoryJoinStore, loadReferenceTable } from '@kse/enrich';
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
  createPreprocessHandler,
  createSinkHandler,
  startEventSourceMapping,
  type EventSourceMapping,
  type KinesisLambdaHandler,
} from '../../../src/index.js';
import { putRecords, seededRandom, waitFor } from '../../helpers.js';

const clients = createAwsClients(testAwsConfig());
const { kinesis } = clients;
// BatchWriter owns the retry of UnprocessedItems and refuses an SDK client that retries more than 3 times.
const dynamodb = createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 });
const running: EventSourceMapping[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

const SEED = 'lambda-handlers';
const ORDERS = 30;

async function sourceRecords() {
  const records = [];
  for await (const record of generateOrders({ orders: ORDERS, products: 50, seed: SEED })) {
    records.push({
      partitionKey: String(record.orderId),
      data: Buffer.from(encodeRecord(record)).toString('utf8'),
    });
  }
  return records;
}

async function products() {
  const list = [];
  for await (const product of generateProducts({ products: 50, seed: SEED })) list.push(product);
  return loadReferenceTable({ products: list });
}

async function enrichedTable(): Promise<string> {
  const tableName = uniqueName('enriched');
  await ensureTable(dynamodb, {
    tableName,
    partitionKey: ENRICHED_TABLE_KEY.partitionKey,
    sortKey: ENRICHED_TABLE_KEY.sortKey,
  });
  return tableName;
}

async function scanAll(client: DynamoDBClient, tableName: string) {
  const items = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page: ScanCommandOutput = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function map(streamName: string, handler: KinesisLambdaHandler, extra = {}) {
  const mapping = await startEventSourceMapping({
    kinesis,
    dynamodb,
    streamName,
    handler,
    mappingName: uniqueName('h'),
    checkpointTable: 'kse-lambda-test-checkpoints',
    batchSize: 25,
    pollIntervalMs: 50,
    functionResponseTypes: ['ReportBatchItemFailures'],
    retryBackoff: { baseMs: 5, capMs: 20 },
    random: seededRandom(3),
    ...extra,
  });
  running.push(mapping);
  return mapping;
}

describe('handlers under the local event source mapping', () => {
  it('seed topology: source → enrich (DynamoDB join state) → enriched stream → sink → exact table', async () => {
    const source = uniqueName('src');
    const enriched = uniqueName('enr');
    const joinState = uniqueName('join');
    await ensureStream(kinesis, { streamName: source, shardCount: 2 });
    await ensureStream(kinesis, { streamName: enriched, shardCount: 2 });
    await ensureJoinStateTable(dynamodb, joinState);
    const tableName = await enrichedTable();
    const enrich = createEnrichHandler({
      env: {},
      kinesis,
      dynamodb,
      enrichedStream: enriched,
      joinStateTable: joinState,
      products: await products(),
    });
    const sink = createSinkHandler({ env: {}, kinesis, dynamodb, tableName });
    await map(source, enrich);
    const sinkMapping = await map(enriched, sink, { parallelizationFactor: 2 });
    await putRecords(kinesis, source, await sourceRecords());
    await waitFor(
      async () => sinkMapping.stats().counters.recordsSucceeded >= ORDERS * 2,
      'rows in the sink',
    );
    const items = await scanAll(dynamodb, tableName);
    expect(items).toHaveLength(ORDERS * 2);
    const names = items.map((item) => item.shipToName?.S ?? '');
    expect(names.every((name) => name.length > 0)).toBe(true);
    expect(items.every((item) => item.productName?.S !== undefined)).toBe(true);
  });

  it('fused topology writes enriched rows straight to the table', async () => {
    const source = uniqueName('src-fused');
    await ensureStream(kinesis, { streamName: source, shardCount: 1 });
    const tableName = await enrichedTable();
    const enrich = createEnrichHandler({
      env: {},
      kinesis,
      dynamodb,
      topology: 'fused',
      tableName,
      joinStore: () => new InMemoryJoinStore(),
      products: await products(),
    });
    const mapping = await map(source, enrich);
    await putRecords(kinesis, source, await sourceRecords());
    await waitFor(
      () => mapping.stats().counters.recordsSucceeded === ORDERS * 3,
      'all source records',
    );
    expect(await scanAll(dynamodb, tableName)).toHaveLength(ORDERS * 2);
  });

  it('preprocess unwraps DMS records and dead-letters bad input with its reason', async () => {
    const source = uniqueName('src-dms');
    const output = uniqueName('typed');
    const dlq = uniqueName('dlq');
    for (const streamName of [source, output, dlq])
      await ensureStream(kinesis, { streamName, shardCount: 1 });
    const handler = createPreprocessHandler({
      env: {},
      kinesis,
      outputStream: output,
      deadLetterStream: dlq,
    });
    const order = (await sourceRecords())[0]!;
    const dms = {
      data: JSON.parse(order.data) as Record<string, unknown>,
      metadata: {
        timestamp: '2026-01-01T00:00:00Z',
        'record-type': 'data',
        operation: 'insert',
        'schema-name': 'shop',
        'table-name': 'orders',
      },
    };
    await putRecords(kinesis, source, [
      { partitionKey: order.partitionKey, data: JSON.stringify(dms) },
      { partitionKey: 'bad', data: '{"orderId":"nope"' },
    ]);
    const typed: string[] = [];
    const dead: string[] = [];
    await map(source, handler);
    await map(output, async (event) => {
      typed.push(...event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()));
    });
    await map(dlq, async (event) => {
      dead.push(...event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()));
    });
    await waitFor(() => typed.length === 1 && dead.length === 1, 'typed record and dead letter');
    expect(JSON.parse(typed[0]!)).toMatchObject({
      orderId: Number(order.partitionKey),
      recordType: 'Order',
    });
    expect(JSON.parse(dead[0]!)).toMatchObject({
      code: 'KSE_JSON_INVALID',
      data: '{"orderId":"nope"',
    });
  });

  it('sink reports rows DynamoDB left unprocessed as batch item failures, and the re-drive lands them', async () => {
    const tableName = await enrichedTable();
    const local = { dynamodb: createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 }) };
    let faults = 2;
    // The emulator never returns UnprocessedItems: inject it for the first two calls.
    local.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'BatchWriteItemCommand' && faults > 0) {
          faults -= 1;
          const input = args.input as { RequestItems: Record<string, unknown[]> };
          (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = input.RequestItems;
        }
        return result;
      },
      { step: 'deserialize', name: 'injectUnprocessed' },
    );
    const sink = createSinkHandler({
      env: {},
      kinesis,
      dynamodb: local.dynamodb,
      tableName,
      batchWriter: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const stream = uniqueName('enr-faults');
    await ensureStream(kinesis, { streamName: stream, shardCount: 1 });
    const rows = Array.from({ length: 10 }, (_, i) => ({
      event_ts: 1767225600000,
      orderId: 10000001 + i,
      orderAmount: 10,
      orderStatus: 'New',
      orderDateTime: '2026-01-01T00:00:00.000Z',
      shipToName: 'Zoë Ångström 東京',
      shipToAddress: 'a',
      shipToCity: 'c',
      shipToState: 's',
      shipToZip: 'z',
      itemId: 999900001,
      itemAmount: 10,
      itemQuantity: 1,
      itemStatus: 'Ready',
      productName: 'Desk',
    }));
    await putRecords(
      kinesis,
      stream,
      rows.map((row) => ({ partitionKey: String(row.orderId), data: JSON.stringify(row) })),
    );
    const mapping = await map(stream, sink, { batchSize: 10 });
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 10, 'all rows');
    const items = await scanAll(dynamodb, tableName);
    expect(items.map((i) => Number(i.orderId!.N)).sort()).toEqual(rows.map((r) => r.orderId));
    expect(items[0]!.shipToName!.S).toBe('Zoë Ångström 東京');
    const { counters } = mapping.stats();
    expect(counters.functionErrors + counters.partialFailures).toBeGreaterThanOrEqual(1);
    expect(counters.recordsDeadLettered).toBe(0);
  });
});
