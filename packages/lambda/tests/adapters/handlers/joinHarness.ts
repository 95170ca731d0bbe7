// Shared wiring of the join tests: real SDK clients against the local stack, records in the
// wire format, stores of either kind, a stream reader and fault injection through SDK
// middleware (so the handlers' own code paths run, and nothing of AWS is faked).
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  ensureJoinStateTable,
  InMemoryJoinStore,
  loadReferenceTable,
  type JoinStateStore,
} from '@kse/enrich';
import {
  createAwsClients,
  createDynamoDbClient,
  createKinesisClient,
  ensureStream,
  ensureTable,
} from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { ENRICHED_TABLE_KEY, type Order, type OrderItem } from '@kse/schemas';
import { startEventSourceMapping, type EventSourceMapping } from '../../../src/index.js';
import { seededRandom } from '../../helpers.js';

export const { kinesis } = createAwsClients(testAwsConfig());
// BatchWriter refuses a client that retries more than 3 times.
export const dynamodb = createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 });

/** Fresh clients for one handler (fault middleware stays on them). */
export function handlerClients(): { kinesis: KinesisClient; dynamodb: DynamoDBClient } {
  return {
    kinesis: createKinesisClient(testAwsConfig(), { maxAttempts: 3 }),
    dynamodb: createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 }),
  };
}

export const T = Date.parse('2026-03-01T12:00:00.000Z');
export const PRODUCT = 999900001;

export function order(orderId: number, atMs = 0): Order {
  return {
    orderId,
    orderAmount: 42.5,
    orderStatus: 'New',
    orderDateTime: new Date(T + atMs).toISOString(),
    shipToName: 'Zoë Ångström 東京',
    shipToAddress: '1 Rue de l’Été',
    shipToCity: 'Malmö',
    shipToState: 'SK',
    shipToZip: '21119',
    recordType: 'Order',
  };
}

export function item(orderId: number, atMs = 0, itemId = PRODUCT): OrderItem {
  return {
    orderId,
    itemId,
    itemQuantity: 2,
    itemAmount: 21.25,
    itemStatus: 'Ready',
    orderDateTime: new Date(T + atMs).toISOString(),
    recordType: 'OrderItem',
  };
}

/** Records as PutRecords entries, partitioned by order id as kse's replay does. */
export function entries(records: (Order | OrderItem)[]) {
  return records.map((record) => ({
    partitionKey: String(record.orderId),
    data: JSON.stringify(record),
  }));
}

export function products() {
  return loadReferenceTable({
    products: [{ productId: PRODUCT, productName: 'Desk', productPrice: 10.25 }],
  });
}

export type StoreKind = 'memory' | 'dynamodb';

/**
 * Where the handlers keep join state: in memory (one store per shard, kept in a map that
 * outlives a handler instance, as the durable state of a crash test), or a new DynamoDB
 * table.
 */
export async function joinState(
  kind: StoreKind,
): Promise<{ joinStore: (shardId: string) => JoinStateStore } | { joinStateTable: string }> {
  if (kind === 'memory') {
    const stores = new Map<string, InMemoryJoinStore>();
    return {
      joinStore: (shardId) => {
        let store = stores.get(shardId);
        if (store === undefined) {
          store = new InMemoryJoinStore();
          stores.set(shardId, store);
        }
        return store;
      },
    };
  }
  const joinStateTable = uniqueName('join-state');
  await ensureJoinStateTable(dynamodb, joinStateTable);
  return { joinStateTable };
}

export async function stream(prefix: string, shardCount = 1): Promise<string> {
  const streamName = uniqueName(prefix);
  await ensureStream(kinesis, { streamName, shardCount });
  return streamName;
}

export async function enrichedTable(): Promise<string> {
  const tableName = uniqueName('enriched');
  await ensureTable(dynamodb, {
    tableName,
    partitionKey: ENRICHED_TABLE_KEY.partitionKey,
    sortKey: ENRICHED_TABLE_KEY.sortKey,
  });
  return tableName;
}

/** Every record of every shard of a stream, as text, shard by shard. */
export async function readStream(streamName: string): Promise<string[]> {
  const texts: string[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const response = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const records = response.Records ?? [];
      for (const record of records) texts.push(Buffer.from(record.Data ?? []).toString('utf8'));
      if (records.length === 0) break;
      iterator = response.NextShardIterator;
    }
  }
  return texts;
}

/** The dead letters on a dead-letter stream. */
export async function deadLetters(
  streamName: string,
): Promise<{ code: string; position?: string; data?: { orderId?: number } }[]> {
  return (await readStream(streamName)).map((text) => JSON.parse(text) as never);
}

export async function scanTable(tableName: string) {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName }));
  return Items;
}

/** A 503 as Kinesis and DynamoDB send it, as the SDK would raise it. */
export function serviceUnavailable(): Error {
  return Object.assign(new Error('Service Unavailable'), {
    name: 'ServiceUnavailableException',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
}

/**
 * Fails the first call `pick` chooses: `before` it is sent (a 503, thrown at the
 * initialize step, outside the SDK's retries: the handler's invocation fails, as when the
 * SDK's attempts run out), or `after` it was acknowledged (the process "dies" once its
 * output is out, before it can commit).
 */
export function failFirst(
  client: KinesisClient | DynamoDBClient,
  pick: (command: string, input: Record<string, unknown>) => boolean,
  when: 'before' | 'after',
  onFire: () => void = () => undefined,
): { fired: () => boolean } {
  let armed = true;
  (client as KinesisClient).middlewareStack.add(
    (next, context) => async (args) => {
      const chosen =
        armed && pick(context.commandName ?? '', args.input as Record<string, unknown>);
      if (chosen && when === 'before') {
        armed = false;
        onFire();
        throw serviceUnavailable();
      }
      const result = await next(args);
      if (chosen && when === 'after') {
        armed = false;
        onFire();
        throw new Error('the process died after its output was acknowledged');
      }
      return result;
    },
    { step: 'initialize', name: 'failFirst' },
  );
  return { fired: () => !armed };
}

export const running: EventSourceMapping[] = [];

/** A local event source mapping with fast polling and retries, stopped after each test. */
export async function map(
  streamName: string,
  options: Partial<Parameters<typeof startEventSourceMapping>[0]> &
    Pick<Parameters<typeof startEventSourceMapping>[0], 'handler'>,
): Promise<EventSourceMapping> {
  const mapping = await startEventSourceMapping({
    kinesis,
    dynamodb,
    streamName,
    mappingName: uniqueName('join'),
    checkpointTable: 'kse-lambda-test-checkpoints',
    batchSize: 25,
    pollIntervalMs: 50,
    shardSyncIntervalMs: 200,
    functionResponseTypes: ['ReportBatchItemFailures'],
    retryBackoff: { baseMs: 5, capMs: 20 },
    random: seededRandom(18),
    ...options,
  });
  running.push(mapping);
  return mapping;
}
