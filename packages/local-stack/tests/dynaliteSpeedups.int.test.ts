// The same DynamoDB conversation, through the AWS SDK, with dynalite's own code, with each
// shortcut of installDynaliteSpeedups() alone and with all five: every answer must be the
// same (ids and times aside).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateTableCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, startEmulators } from '../src/index.js';
import {
  dynaliteSpeedupsInstalled,
  installDynaliteSpeedups,
  setDynaliteSpeedups,
  uninstallDynaliteSpeedups,
  type DynaliteSpeedupParts,
  ALL_PARTS as ALL,
  NO_PARTS as NONE,
} from '../src/emulators/speedups/dynaliteSpeedups.js';
import { pollUntil } from '../src/aws/poll.js';

const requireHere = createRequire(import.meta.url);
const dynaliteDb = requireHere('dynalite/db') as { create: (options?: object) => unknown };

type Item = Record<string, AttributeValue>;
type Outcome = Record<string, unknown>;

/** LevelDB reads of the emulator's store, by key prefix. */
interface Reads {
  table: number;
  items: number;
}

const tempDirs: string[] = [];
afterAll(() => {
  uninstallDynaliteSpeedups();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** What the SDK answered, without request ids, table ids and times. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$metadata') continue;
    if (key === 'TableId' || key.endsWith('DateTime')) out[key] = '<varies>';
    else out[key] = normalize(inner);
  }
  return out;
}

async function outcome(send: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: normalize(await send()) };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

function order(orderId: number, itemId: number, extra: Item = {}): Item {
  return {
    orderId: { N: String(orderId) },
    itemId: { N: String(itemId) },
    productName: { S: `Product ${itemId % 7}` },
    itemAmount: { N: String((itemId * 13) % 100) + '.5' },
    ...extra,
  };
}

async function untilStatus(ddb: DynamoDBClient, tableName: string, status: string) {
  return pollUntil(`${tableName} not ${status}`, tableName, async () => {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus === status &&
      (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')
      ? Table
      : undefined;
  });
}

async function untilGone(ddb: DynamoDBClient, tableName: string): Promise<void> {
  await pollUntil(`${tableName} not gone`, tableName, async () => {
    try {
      await ddb.send(new DescribeTableCommand({ TableName: tableName }));
      return undefined;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return true;
      throw error;
    }
  });
}

async function createTable(ddb: DynamoDBClient, input: CreateTableCommandInput): Promise<Outcome> {
  const created = await outcome(() => ddb.send(new CreateTableCommand(input)));
  await untilStatus(ddb, input.TableName!, 'ACTIVE');
  return created;
}

const ordersTable: CreateTableCommandInput = {
  TableName: 'OrdersEnriched',
  KeySchema: [
    { AttributeName: 'orderId', KeyType: 'HASH' },
    { AttributeName: 'itemId', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'orderId', AttributeType: 'N' },
    { AttributeName: 'itemId', AttributeType: 'N' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

/**
 * The conversation: a list of [step, answer]. `reads` holds the store's LevelDB reads
 * during the plain BatchWriteItem step.
 */
async function conversation(
  ddb: DynamoDBClient,
  readsSoFar: () => Reads,
): Promise<{ steps: [string, Outcome][]; batchReads: Reads }> {
  const steps: [string, Outcome][] = [];
  const step = async (name: string, send: () => Promise<unknown>) => {
    steps.push([name, await outcome(send)]);
  };
  const T = 'OrdersEnriched';
  const batch = (items: Item[], extra: object = {}) =>
    ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [T]: items.map((Item) => ({ PutRequest: { Item } })) },
        ...extra,
      }),
    );

  // Created, ACTIVE (after a CREATING the cache saw), then written.
  steps.push(['create', await createTable(ddb, ordersTable)]);
  await step('describe', () => ddb.send(new DescribeTableCommand({ TableName: T })));
  const items = Array.from({ length: 60 }, (_, i) => order(Math.floor(i / 4) + 1, i + 1));
  const before = readsSoFar();
  for (let i = 0; i < items.length; i += 25) {
    await step(`batch ${i}`, () => batch(items.slice(i, i + 25)));
  }
  const after = readsSoFar();
  const batchReads = { table: after.table - before.table, items: after.items - before.items };

  // Overwrites: a batch, then PutItem with and without ALL_OLD.
  await step('overwrite batch', () =>
    batch(items.slice(0, 10).map((item) => ({ ...item, productName: { S: 'renamed' } }))),
  );
  await step('put new', () => ddb.send(new PutItemCommand({ TableName: T, Item: order(99, 1) })));
  await step('put overwrite ALL_OLD', () =>
    ddb.send(
      new PutItemCommand({
        TableName: T,
        Item: order(99, 1, { note: { S: 'second' } }),
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  await step('put ALL_OLD of a new item', () =>
    ddb.send(new PutItemCommand({ TableName: T, Item: order(99, 2), ReturnValues: 'ALL_OLD' })),
  );
  await step('put NONE overwrite', () =>
    ddb.send(
      new PutItemCommand({
        TableName: T,
        Item: order(99, 2, { note: { S: 'third' } }),
        ReturnValues: 'NONE',
        ReturnConsumedCapacity: 'NONE',
      }),
    ),
  );

  // Conditions: expression and legacy Expected, failing and passing.
  const notExists = { ConditionExpression: 'attribute_not_exists(orderId)' };
  await step('condition fails', () =>
    ddb.send(new PutItemCommand({ TableName: T, Item: order(99, 1), ...notExists })),
  );
  await step('condition passes', () =>
    ddb.send(new PutItemCommand({ TableName: T, Item: order(99, 3), ...notExists })),
  );
  await step('condition on a value fails', () =>
    ddb.send(
      new PutItemCommand({
        TableName: T,
        Item: order(99, 3),
        ConditionExpression: 'productName = :p',
        ExpressionAttributeValues: { ':p': { S: 'nope' } },
      }),
    ),
  );
  await step('Expected fails', () =>
    ddb.send(
      new PutItemCommand({
        TableName: T,
        Item: order(99, 3),
        Expected: { itemId: { Exists: false } },
      }),
    ),
  );

  // Consumed capacity: the old item counts when it is larger.
  const big = order(98, 1, { blob: { S: 'x'.repeat(3000) } });
  await step('put big', () => ddb.send(new PutItemCommand({ TableName: T, Item: big })));
  for (const mode of ['TOTAL', 'INDEXES'] as const) {
    await step(`capacity ${mode} over a big item`, () =>
      ddb.send(
        new PutItemCommand({ TableName: T, Item: order(98, 1), ReturnConsumedCapacity: mode }),
      ),
    );
    await step(`batch capacity ${mode}`, () =>
      batch([order(97, 1), order(97, 2, { blob: { S: 'y'.repeat(2500) } })], {
        ReturnConsumedCapacity: mode,
      }),
    );
  }

  // Reads.
  for (const [orderId, itemId] of [
    [1, 1],
    [99, 1],
    [99, 2],
    [99, 3],
    [98, 1],
    [500, 1],
  ] as const) {
    await step(`get ${orderId}/${itemId}`, () =>
      ddb.send(
        new GetItemCommand({
          TableName: T,
          Key: { orderId: { N: String(orderId) }, itemId: { N: String(itemId) } },
        }),
      ),
    );
  }
  await step('scan', () => ddb.send(new ScanCommand({ TableName: T })));
  await step('query order 2', () =>
    ddb.send(
      new QueryCommand({
        TableName: T,
        KeyConditionExpression: 'orderId = :o',
        ExpressionAttributeValues: { ':o': { N: '2' } },
      }),
    ),
  );

  // A table with a global secondary index: overwrites move items between index keys.
  const G = 'OrdersByStatus';
  steps.push([
    'create gsi table',
    await createTable(ddb, {
      ...ordersTable,
      TableName: G,
      AttributeDefinitions: [
        ...ordersTable.AttributeDefinitions!,
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  ]);
  const gsiBatch = (status: string, ids: number[]) =>
    ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [G]: ids.map((id) => ({ PutRequest: { Item: order(1, id, { status: { S: status } }) } })),
        },
      }),
    );
  await step('gsi batch NEW', () => gsiBatch('NEW', [1, 2, 3, 4, 5]));
  await step('gsi batch SHIPPED overwrite', () => gsiBatch('SHIPPED', [2, 4]));
  await step('gsi put overwrite without status', () =>
    ddb.send(new PutItemCommand({ TableName: G, Item: order(1, 5) })),
  );
  for (const status of ['NEW', 'SHIPPED']) {
    await step(`gsi query ${status}`, () =>
      ddb.send(
        new QueryCommand({
          TableName: G,
          IndexName: 'byStatus',
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: status } },
        }),
      ),
    );
  }

  // Deleted: puts find no table; recreated with another key: puts check the new one.
  await step('delete', () => ddb.send(new DeleteTableCommand({ TableName: T })));
  await untilGone(ddb, T);
  await step('put after delete', () =>
    ddb.send(new PutItemCommand({ TableName: T, Item: order(1, 1) })),
  );
  await step('batch after delete', () => batch([order(1, 1)]));
  steps.push([
    'recreate with another key',
    await createTable(ddb, {
      TableName: T,
      KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  ]);
  await step('put old-key item', () =>
    ddb.send(new PutItemCommand({ TableName: T, Item: order(1, 1) })),
  );
  await step('batch old-key item', () => batch([order(1, 2)]));
  await step('put new-key item', () =>
    ddb.send(new PutItemCommand({ TableName: T, Item: { sku: { S: 'A-1' }, n: { N: '1' } } })),
  );
  await step('scan recreated', () => ddb.send(new ScanCommand({ TableName: T })));

  // UpdateTable: UPDATING, then ACTIVE with the new throughput, then billing mode.
  const P = 'Provisioned';
  steps.push([
    'create provisioned',
    await createTable(ddb, {
      ...ordersTable,
      TableName: P,
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  ]);
  await step('update throughput', () =>
    ddb.send(
      new UpdateTableCommand({
        TableName: P,
        ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 20 },
      }),
    ),
  );
  steps.push(['after update', { ok: normalize(await untilStatus(ddb, P, 'ACTIVE')) }]);
  await step('update billing mode', () =>
    ddb.send(new UpdateTableCommand({ TableName: P, BillingMode: 'PAY_PER_REQUEST' })),
  );
  steps.push(['after billing update', { ok: normalize(await untilStatus(ddb, P, 'ACTIVE')) }]);
  await step('put after update', () =>
    ddb.send(new PutItemCommand({ TableName: P, Item: order(1, 1) })),
  );
  await step('get after update', () =>
    ddb.send(
      new GetItemCommand({ TableName: P, Key: { orderId: { N: '1' }, itemId: { N: '1' } } }),
    ),
  );

  // Attribute values of every type, and malformed ones: the request type checks (and the
  // validation behind them) decide these answers.
  const bytes = new Uint8Array([0, 1, 2, 254, 255]);
  const everyType: Item = order(2, 1, {
    s: { S: 'Zoë 東京' },
    n: { N: '-1.5e3' },
    b: { B: bytes },
    ss: { SS: ['a', 'b'] },
    ns: { NS: ['1', '2.50'] },
    bs: { BS: [bytes, new Uint8Array([7])] },
    m: { M: { inner: { L: [{ S: 'x' }, { N: '1' }, { NULL: true }, { BOOL: false }] } } },
    nul: { NULL: true },
    bool: { BOOL: true },
  });
  await step('put every type', () =>
    ddb.send(new PutItemCommand({ TableName: P, Item: everyType })),
  );
  await step('batch every type', () =>
    ddb.send(
      new BatchWriteItemCommand({
        RequestItems: { [P]: [{ PutRequest: { Item: { ...everyType, itemId: { N: '2' } } } }] },
      }),
    ),
  );
  for (const itemId of ['1', '2']) {
    await step(`get every type ${itemId}`, () =>
      ddb.send(
        new GetItemCommand({ TableName: P, Key: { orderId: { N: '2' }, itemId: { N: itemId } } }),
      ),
    );
  }
  const malformed: [string, Item][] = [
    ['number not a number', { orderId: { N: 'abc' }, itemId: { N: '1' } }],
    ['number out of range', order(3, 1, { n: { N: '1e126' } })],
    ['empty key string', { orderId: { N: '' }, itemId: { N: '1' } }],
    ['empty string set', order(3, 1, { ss: { SS: [] } })],
    ['duplicate in a set', order(3, 1, { ss: { SS: ['a', 'a'] } })],
    ['NULL false', order(3, 1, { nul: { NULL: false } })],
    ['key of the wrong type', { orderId: { S: '3' }, itemId: { N: '1' } }],
    ['missing key', { orderId: { N: '3' } }],
  ];
  for (const [name, Item] of malformed) {
    await step(`put ${name}`, () => ddb.send(new PutItemCommand({ TableName: P, Item })));
    await step(`batch ${name}`, () =>
      ddb.send(new BatchWriteItemCommand({ RequestItems: { [P]: [{ PutRequest: { Item } }] } })),
    );
  }
  await step('query with a number value', () =>
    ddb.send(
      new QueryCommand({
        TableName: P,
        KeyConditionExpression: 'orderId = :o AND itemId > :i',
        ExpressionAttributeValues: { ':o': { N: '2' }, ':i': { N: '0.5' } },
      }),
    ),
  );
  return { steps, batchReads };
}

interface Store {
  db: { _get: (...args: unknown[]) => unknown };
}

/** Runs the conversation against a fresh on-disk dynalite with these parts switched on. */
async function runWith(
  parts: DynaliteSpeedupParts,
): Promise<{ steps: [string, Outcome][]; batchReads: Reads }> {
  setDynaliteSpeedups(parts);
  // Catch the store the server creates, to count its LevelDB reads.
  const create = dynaliteDb.create;
  let store: Store | undefined;
  dynaliteDb.create = (options) => (store = create(options) as Store);
  const dataDir = mkdtempSync(join(tmpdir(), 'kse-dynalite-int-'));
  tempDirs.push(dataDir);
  let emulators;
  try {
    emulators = await startEmulators(['dynamodb'], { dataDir }); // leaves the parts as set
  } finally {
    dynaliteDb.create = create;
  }
  const reads: Reads = { table: 0, items: 0 };
  const _get = store!.db._get;
  store!.db._get = function (this: unknown, ...args: unknown[]) {
    const key = String(args[0]);
    if (key.startsWith('table~')) reads.table += 1;
    if (key.startsWith('item-')) reads.items += 1;
    return _get.apply(this, args);
  };
  const ddb = createDynamoDbClient({
    region: 'us-east-1',
    endpoints: { dynamodb: emulators.endpoints.dynamodb! },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    return await conversation(ddb, () => ({ ...reads }));
  } finally {
    ddb.destroy();
    await emulators.stop();
  }
}

const find = (steps: [string, Outcome][], name: string): Outcome =>
  steps.find(([step]) => step === name)![1];

type Run = Awaited<ReturnType<typeof runWith>>;

/** dynalite's own answers, computed once for every comparison. */
let plainRun: Promise<Run> | undefined;
const plainConversation = (): Promise<Run> => (plainRun ??= runWith(NONE));

function expectSameAnswers(fast: Run, plain: Run): void {
  expect(fast.steps.map(([name]) => name)).toEqual(plain.steps.map(([name]) => name));
  for (const [i, [name, answer]] of fast.steps.entries()) {
    expect({ name, answer }).toEqual({ name, answer: plain.steps[i]![1] });
  }
}

describe('dynalite speedups (installDynaliteSpeedups): conformance', () => {
  it('all five shortcuts together answer a whole conversation exactly as dynalite does, with fewer LevelDB reads', async () => {
    const plain = await plainConversation();
    const fast = await runWith(ALL);
    expectSameAnswers(fast, plain);

    // The conversation says what it should (checked on the speedups' answers).
    const s = fast.steps;
    expect(find(s, 'batch 0')).toEqual({ ok: { UnprocessedItems: {} } });
    expect(find(s, 'put overwrite ALL_OLD')).toEqual({ ok: { Attributes: order(99, 1) } });
    expect(find(s, 'put ALL_OLD of a new item')).toEqual({ ok: {} });
    for (const name of ['condition fails', 'condition on a value fails', 'Expected fails']) {
      expect(find(s, name)).toMatchObject({ error: 'ConditionalCheckFailedException' });
    }
    expect(find(s, 'condition passes')).toEqual({ ok: {} });
    // The old item (~3 KB, 3 units) is larger than the new one (1 unit).
    expect(find(s, 'capacity TOTAL over a big item')).toEqual({
      ok: { ConsumedCapacity: { CapacityUnits: 3, TableName: 'OrdersEnriched' } },
    });
    // 1 unit + 3 units (~2.5 KB).
    expect(find(s, 'batch capacity INDEXES')).toEqual({
      ok: {
        UnprocessedItems: {},
        ConsumedCapacity: [
          { CapacityUnits: 4, TableName: 'OrdersEnriched', Table: { CapacityUnits: 4 } },
        ],
      },
    });
    expect(find(s, 'get 99/1')).toEqual({ ok: { Item: order(99, 1, { note: { S: 'second' } }) } });
    expect(find(s, 'get 99/2')).toEqual({ ok: { Item: order(99, 2, { note: { S: 'third' } }) } });
    expect(find(s, 'get 1/1')).toEqual({
      ok: { Item: { ...order(1, 1), productName: { S: 'renamed' } } },
    });
    expect((find(s, 'scan') as { ok: { Count: number } }).ok.Count).toBe(60 + 3 + 1 + 2);
    const statusOf = (name: string) =>
      (find(s, name) as { ok: { Items: Item[] } }).ok.Items.map((item) => item.itemId!.N).sort();
    expect(statusOf('gsi query NEW')).toEqual(['1', '3']);
    expect(statusOf('gsi query SHIPPED')).toEqual(['2', '4']);
    for (const name of ['put after delete', 'batch after delete']) {
      expect(find(s, name)).toMatchObject({ error: 'ResourceNotFoundException' });
    }
    for (const name of ['put old-key item', 'batch old-key item']) {
      expect(find(s, name)).toMatchObject({ error: 'ValidationException' });
    }
    expect(find(s, 'scan recreated')).toMatchObject({
      ok: { Count: 1, Items: [{ sku: { S: 'A-1' }, n: { N: '1' } }] },
    });
    expect(find(s, 'after update')).toMatchObject({
      ok: { ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 20 } },
    });
    expect(find(s, 'after billing update')).toMatchObject({
      ok: { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } },
    });
    expect(find(s, 'get after update')).toEqual({ ok: { Item: order(1, 1) } });

    for (const name of ['put every type', 'batch every type']) {
      expect(find(s, name)).toMatchObject({ ok: expect.any(Object) });
    }
    for (const itemId of ['1', '2']) {
      const { Item } = (find(s, `get every type ${itemId}`) as { ok: { Item: Item } }).ok;
      expect(Object.keys(Item).sort()).toEqual(
        ['b', 'bool', 'bs', 'itemAmount', 'itemId', 'm', 'n', 'ns', 'nul', 'orderId']
          .concat(['productName', 's', 'ss'])
          .sort(),
      );
    }
    for (const name of [
      'number not a number',
      'number out of range',
      'empty key string',
      'empty string set',
      'duplicate in a set',
      'NULL false',
      'key of the wrong type',
      'missing key',
    ]) {
      expect(find(s, `put ${name}`)).toMatchObject({ error: 'ValidationException' });
      expect(find(s, `batch ${name}`)).toMatchObject({ error: 'ValidationException' });
    }
    expect(find(s, 'query with a number value')).toMatchObject({ ok: { Count: 2 } });

    // 60 items in 3 calls: dynalite reads the table 3 + 60 times and each old item.
    expect(plain.batchReads).toEqual({ table: 63, items: 60 });
    expect(fast.batchReads).toEqual({ table: 0, items: 0 });
  });

  // Each shortcut on its own, against dynalite's own answers: a fault in one cannot hide
  // behind another. The reads show each does what it is for (and only that).
  it.each([
    { part: 'tableCache', reads: { table: 0, items: 60 } },
    { part: 'putItemSkipRead', reads: { table: 63, items: 0 } },
    { part: 'coalescePuts', reads: { table: 63, items: 60 } },
    { part: 'fastCheckTypes', reads: { table: 63, items: 60 } },
    { part: 'nativeCrc32', reads: { table: 63, items: 60 } },
  ] as const)(
    'shortcut $part alone answers the whole conversation exactly as dynalite does',
    async ({ part, reads }) => {
      const plain = await plainConversation();
      const fast = await runWith({ ...NONE, [part]: true });
      expectSameAnswers(fast, plain);
      expect(fast.batchReads).toEqual(reads);
    },
  );
});

describe('dynalite speedups: the speedups option of startEmulators', () => {
  it('startEmulators installs them with speedups: true and leaves them alone by default', async () => {
    uninstallDynaliteSpeedups();
    const off = await startEmulators(['dynamodb']);
    await off.stop();
    expect(dynaliteSpeedupsInstalled()).toBe(false);
    const explicitlyOff = await startEmulators(['dynamodb'], { speedups: false });
    await explicitlyOff.stop();
    expect(dynaliteSpeedupsInstalled()).toBe(false);
    const on = await startEmulators(['dynamodb'], { speedups: true });
    await on.stop();
    expect(dynaliteSpeedupsInstalled()).toBe(true);
    installDynaliteSpeedups();
    expect(dynaliteSpeedupsInstalled()).toBe(true);
  });
});
