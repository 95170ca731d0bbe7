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
import { encodeRecord, ENRICHED_TABLE_KEY, type Product } from '@kse/schemas';
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
import {
  arrivalTimes,
  expectedRows,
  fullRows,
  tableRows,
  type SentRecord,
} from './expectedRows.js';

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

async function sourceRecords(): Promise<(SentRecord & { partitionKey: string })[]> {
  const records = [];
  for await (const record of generateOrders({ orders: ORDERS, products: 50, seed: SEED })) {
    records.push({
      record,
      partitionKey: String(record.orderId),
      data: Buffer.from(encodeRecord(record)).toString('utf8'),
    });
  }
  return records;
}

async function productList(): Promise<Product[]> {
  const list = [];
  for await (const product of generateProducts({ products: 50, seed: SEED })) list.push(product);
  return list;
}

async function products() {
  return loadReferenceTable({ products: await productList() });
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
    const sent = await sourceRecords();
    await putRecords(kinesis, source, sent);
    await waitFor(
      async () => sinkMapping.stats().counters.recordsSucceeded >= ORDERS * 2,
      'rows in the sink',
    );
    const expected = expectedRows(sent, await productList(), await arrivalTimes(kinesis, source));
    expect(expected).toHaveLength(ORDERS * 2);
    // Every row, every enriched field (values, arrival traces and event_ts included).
    expect(tableRows(await scanAll(dynamodb, tableName))).toEqual(expected);
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
    const sent = await sourceRecords();
    await putRecords(kinesis, source, sent);
    await waitFor(
      () => mapping.stats().counters.recordsSucceeded === ORDERS * 3,
      'all source records',
    );
    const expected = expectedRows(sent, await productList(), await arrivalTimes(kinesis, source));
    expect(expected).toHaveLength(ORDERS * 2);
    expect(tableRows(await scanAll(dynamodb, tableName))).toEqual(expected);
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
    const keyOf = (request: { PutRequest?: { Item?: Record<string, { N?: string }> } }) =>
      Number(request.PutRequest?.Item?.orderId?.N);
    // The order ids each BatchWriteItem call really sent to the table.
    const written: number[][] = [];
    let faults = 1;
    // The emulator never returns UnprocessedItems: on the first call, before anything is
    // sent, hold back every other row (they never reach the table) and answer them as
    // UnprocessedItems, as DynamoDB does for a partly throttled call.
    local.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const input = args.input as {
          RequestItems: Record<
            string,
            { PutRequest?: { Item?: Record<string, { N?: string }> } }[]
          >;
        };
        const requests = input.RequestItems[tableName]!;
        const held = faults > 0 ? requests.filter((_, i) => i % 2 === 1) : [];
        faults -= 1;
        const sentNow = requests.filter((request) => !held.includes(request));
        written.push(sentNow.map(keyOf));
        const result = await next({
          ...args,
          input: { ...input, RequestItems: { [tableName]: sentNow } },
        });
        if (held.length > 0) {
          const output = result.output as {
            UnprocessedItems?: Record<string, unknown[]>;
          };
          output.UnprocessedItems = {
            [tableName]: [...(output.UnprocessedItems?.[tableName] ?? []), ...held],
          };
        }
        return result;
      },
      { step: 'initialize', name: 'injectUnprocessed' },
    );
    const sink = createSinkHandler({
      env: {},
      kinesis,
      dynamodb: local.dynamodb,
      tableName,
      batchWriter: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 2 },
    });
    // What the sink answered each invocation (or that it threw): checked after the run.
    const answers: { records: string[]; failed: string[] | 'threw' }[] = [];
    const handler: KinesisLambdaHandler = async (event, context) => {
      const records = event.Records.map((r) => r.kinesis.sequenceNumber);
      try {
        const response = await sink(event, context);
        answers.push({ records, failed: response.batchItemFailures.map((f) => f.itemIdentifier) });
        return response;
      } catch (error) {
        answers.push({ records, failed: 'threw' });
        throw error;
      }
    };
    const stream = uniqueName('enr-faults');
    await ensureStream(kinesis, { streamName: stream, shardCount: 1 });
    const rows = Array.from({ length: 10 }, (_, i) => ({
      event_ts: 1767225600000 + i,
      orderId: 10000001 + i,
      orderAmount: 10 + i,
      orderStatus: 'New',
      orderDateTime: `2026-01-01T00:00:0${i}.000Z`,
      shipToName: `Zoë Ångström 東京 ${i}`,
      shipToAddress: `a${i}`,
      shipToCity: `c${i}`,
      shipToState: `s${i}`,
      shipToZip: `z${i}`,
      itemId: 999900001 + i,
      itemAmount: 10 + i,
      itemQuantity: 1 + i,
      itemStatus: 'Ready',
      productName: i === 3 ? null : `Desk ${i}`,
      order_arrival_ts: 1767225500000 + i,
      item_arrival_ts: 1767225400000 + i,
    }));
    const seqs = await putRecords(
      kinesis,
      stream,
      rows.map((row) => ({ partitionKey: String(row.orderId), data: JSON.stringify(row) })),
    );
    const mapping = await map(stream, handler, { batchSize: 10 });
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 10, 'all rows');
    const ids = rows.map((row) => row.orderId);
    const odd = (_: unknown, i: number) => i % 2 === 1;
    // The first call wrote only the even rows; the held-back odd rows were not written.
    expect(written[0]).toEqual(ids.filter((_, i) => !odd(_, i)));
    // A partial batch response naming exactly the held-back rows, not a thrown handler;
    // the re-drive starts at the lowest of them and lands them.
    expect(answers).toEqual([
      { records: seqs, failed: seqs.filter(odd) },
      { records: seqs.slice(1), failed: [] },
    ]);
    expect(written.slice(1)).toEqual([ids.slice(1)]);
    expect(tableRows(await scanAll(dynamodb, tableName))).toEqual(fullRows(rows));
    const { counters } = mapping.stats();
    expect(counters).toMatchObject({
      partialFailures: 1,
      functionErrors: 0,
      recordsDeadLettered: 0,
    });
  });
});
