// dynalite's own modules are driven directly here (no HTTP): a store from `db.create`,
// requests through dynalite's validations and actions as its server passes them.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cloneJson,
  dynaliteSpeedupsInstalled,
  installDynaliteSpeedups,
  loadDynalite,
  putItemIgnoresExistingItem,
  setDynaliteSpeedups,
  tableHasNoIndexes,
  uninstallDynaliteSpeedups,
  type DynaliteSpeedupParts,
  ALL_PARTS as ALL,
  NO_PARTS as NONE,
} from '../src/emulators/speedups/dynaliteSpeedups.js';

const requireHere = createRequire(import.meta.url);
type Callback = (err?: (Error & { body?: unknown }) | null, value?: unknown) => void;

interface Store {
  options: { path?: string };
  db: Record<string, unknown> & {
    get(key: string, cb: Callback): void;
    close(cb: Callback): void;
    _get: (...args: unknown[]) => unknown;
    _batch: (...args: unknown[]) => unknown;
    _del: (...args: unknown[]) => unknown;
  };
  tableDb: {
    get(key: string, cb: Callback): void;
    put(key: string, value: unknown, cb: Callback): void;
    del(key: string, cb: Callback): void;
    batch(ops: unknown[], cb: Callback): void;
  };
  getTable(name: string, checkStatus: boolean | Callback, cb?: Callback): void;
  recreate(): void;
}

const dynaliteDb = requireHere('dynalite/db') as { create: (options?: object) => Store };
const validations = requireHere('dynalite/validations') as {
  checkTypes(data: unknown, types: unknown): Record<string, unknown>;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: Store): void;
};

const SEED = 20_251_128;

const tempDirs: string[] = [];
const openStores: Store[] = [];

/** A store made with dynalite's own `db.create` (uncached) or the speedups' one. */
function createStore(instrumented: boolean, disk = false): Store {
  setDynaliteSpeedups(instrumented ? ALL : NONE);
  let path: string | undefined;
  if (disk) {
    path = mkdtempSync(join(tmpdir(), 'kse-dynalite-unit-'));
    tempDirs.push(path);
  }
  const store = dynaliteDb.create({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path === undefined ? {} : { path }),
  });
  openStores.push(store);
  return store;
}

const cb2promise = <T>(run: (cb: Callback) => void): Promise<T> =>
  new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))));

const settle = <T>(run: (cb: Callback) => void): Promise<{ value: T } | { error: string }> =>
  new Promise((resolve) =>
    run((err, value) => resolve(err ? { error: err.message } : { value: value as T })),
  );

/** Counts the LevelDB reads of keys starting with `prefix` (`table~`, `item-T~`). */
function countReads(store: Store, prefix: string): { count: number } {
  const counter = { count: 0 };
  const original = store.db._get;
  store.db._get = function (this: unknown, ...args: unknown[]) {
    if (String(args[0]).startsWith(prefix)) counter.count += 1;
    return original.apply(this, args);
  };
  return counter;
}

/** A request through dynalite's validations and action, as its server runs it. */
function call(store: Store, action: string, request: unknown): Promise<unknown> {
  const spec = requireHere(`dynalite/validations/${action}`) as { types: unknown; custom: unknown };
  return new Promise((resolve) => {
    let data: unknown;
    try {
      data = validations.checkTypes(structuredClone(request), spec.types);
      validations.checkValidations(data, spec.types, spec.custom, store);
    } catch (error) {
      resolve({ error: (error as { body: unknown }).body });
      return;
    }
    const run = requireHere(`dynalite/actions/${action}`) as (
      s: Store,
      d: unknown,
      cb: Callback,
    ) => void;
    run(store, data, (err, value) => {
      if (err) resolve({ error: err.body ?? err.message });
      // What the server sends: JSON.
      else resolve({ ok: JSON.parse(JSON.stringify(value)) });
    });
  });
}

async function untilActive(store: Store, tableName: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const out = (await call(store, 'describeTable', { TableName: tableName })) as {
      ok?: { Table: { TableStatus: string } };
    };
    if (out.ok?.Table.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`${tableName} not ACTIVE: ${JSON.stringify(out)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

afterEach(() => setDynaliteSpeedups(NONE));

afterAll(async () => {
  await Promise.all(
    openStores.map((store) => new Promise((resolve) => store.db.close(() => resolve(undefined)))),
  );
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  uninstallDynaliteSpeedups();
});

describe('dynalite speedups: when the existing item cannot matter', () => {
  it('putItemIgnoresExistingItem: only without condition, ReturnValues and ReturnConsumedCapacity', () => {
    expect(putItemIgnoresExistingItem({ TableName: 't', Item: {} })).toBe(true);
    expect(
      putItemIgnoresExistingItem({
        TableName: 't',
        Item: {},
        ReturnValues: 'NONE',
        ReturnConsumedCapacity: 'NONE',
      }),
    ).toBe(true);
    for (const extra of [
      { ReturnValues: 'ALL_OLD' },
      { ReturnConsumedCapacity: 'TOTAL' },
      { ReturnConsumedCapacity: 'INDEXES' },
      { ConditionExpression: 'attribute_not_exists(a)' },
      { _condition: { expression: {} } },
      { Expected: { a: { Exists: false } } },
      { Expected: {} },
    ]) {
      expect(putItemIgnoresExistingItem({ TableName: 't', Item: {}, ...extra })).toBe(false);
    }
  });

  it('tableHasNoIndexes: absent or empty index lists only', () => {
    expect(tableHasNoIndexes({})).toBe(true);
    expect(tableHasNoIndexes({ GlobalSecondaryIndexes: [], LocalSecondaryIndexes: [] })).toBe(true);
    expect(tableHasNoIndexes({ GlobalSecondaryIndexes: [{}] })).toBe(false);
    expect(tableHasNoIndexes({ LocalSecondaryIndexes: [{}] })).toBe(false);
    expect(tableHasNoIndexes({ LocalSecondaryIndexes: {} })).toBe(false);
  });
});

describe('dynalite speedups: cloneJson', () => {
  it('equals JSON.parse of the text (key order, own __proto__ keys), sharing nothing', () => {
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', '1', '0', 'a'));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('tree'), { maxLength: 4 }),
        fc
          .array(fc.tuple(key, tie('tree')), { maxLength: 5 })
          .map(
            (entries) =>
              `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
          )
          .map((text) => JSON.parse(text) as unknown),
      ),
    }));
    fc.assert(
      fc.property(tree, (value) => {
        const text = JSON.stringify(value);
        const source = JSON.parse(text) as unknown;
        const copy = cloneJson(source);
        expect(JSON.stringify(copy)).toBe(text);
        expect(copy).toStrictEqual(JSON.parse(text));
        if (typeof copy === 'object' && copy !== null) {
          expect(copy).not.toBe(source);
          (copy as Record<string, unknown>).added = 1;
          expect(JSON.stringify(source)).toBe(text);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('dynalite speedups: table cache', () => {
  const table = { TableName: 'orders', TableStatus: 'ACTIVE', KeySchema: [{ n: 1 }] };

  it('answers a repeated get without a LevelDB read, with a fresh object each time', async () => {
    const store = createStore(true);
    setDynaliteSpeedups(ALL);
    await cb2promise((cb) => store.tableDb.put('orders', table, cb));
    const reads = countReads(store, 'table~');
    const first = await cb2promise<typeof table>((cb) => store.tableDb.get('orders', cb));
    first.TableStatus = 'MUTATED BY A CALLER';
    const second = await cb2promise<typeof table>((cb) => store.tableDb.get('orders', cb));
    const third = await cb2promise<typeof table>((cb) => store.getTable('orders', cb));
    expect(second).toEqual(table);
    expect(third).toEqual(table);
    expect(second).not.toBe(third);
    expect(reads.count).toBe(1);
  });

  it('put, del and batch invalidate: the next get reads the new value from LevelDB', async () => {
    const store = createStore(true);
    setDynaliteSpeedups(ALL);
    const reads = countReads(store, 'table~');
    const get = () => cb2promise<unknown>((cb) => store.tableDb.get('orders', cb));
    await cb2promise((cb) => store.tableDb.put('orders', table, cb));
    expect(await get()).toEqual(table);
    await cb2promise((cb) =>
      store.tableDb.put('orders', { ...table, TableStatus: 'UPDATING' }, cb),
    );
    expect(await get()).toEqual({ ...table, TableStatus: 'UPDATING' });
    expect(await get()).toEqual({ ...table, TableStatus: 'UPDATING' });
    await cb2promise((cb) =>
      store.tableDb.batch([{ type: 'put', key: 'orders', value: table }], cb),
    );
    expect(await get()).toEqual(table);
    await cb2promise((cb) => store.tableDb.del('orders', cb));
    expect(await get()).toBeUndefined();
    expect(await get()).toBeUndefined();
    // One read after each write; misses (no table) are not cached.
    expect(reads.count).toBe(5);
  });

  it('a get that overlaps a write (issued before or during it) does not fill the cache', async () => {
    for (const disk of [false, true]) {
      for (const getFirst of [true, false]) {
        const store = createStore(true, disk);
        setDynaliteSpeedups(ALL);
        await cb2promise((cb) => store.tableDb.put('orders', table, cb));
        const reads = countReads(store, 'table~');
        // Issued in one turn: the get may read the old or the new value.
        const get = () => cb2promise((cb) => store.tableDb.get('orders', cb));
        const put = () =>
          cb2promise((cb) =>
            store.tableDb.put('orders', { ...table, TableStatus: 'DELETING' }, cb),
          );
        await Promise.all(getFirst ? [get(), put()] : [put(), get()]);
        const after = await get();
        expect(after).toEqual({ ...table, TableStatus: 'DELETING' });
        expect(reads.count).toBe(2);
      }
    }
  });

  it('same get results as an uncached store for any interleaving of gets and writes (memory)', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('get' as const), key: fc.constantFrom('a', 'b') }),
      fc.record({
        kind: fc.constant('put' as const),
        key: fc.constantFrom('a', 'b'),
        status: fc.constantFrom('CREATING', 'ACTIVE', 'UPDATING'),
      }),
      fc.record({ kind: fc.constant('del' as const), key: fc.constantFrom('a', 'b') }),
      fc.record({
        kind: fc.constant('batch' as const),
        key: fc.constantFrom('a', 'b'),
        status: fc.constantFrom('ACTIVE', 'DELETING'),
      }),
    );
    // Groups of operations issued in one turn, the groups one after the other.
    type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
    const program = fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { maxLength: 12 });
    const runOn = async (store: Store, groups: Op[][]) => {
      const results: unknown[] = [];
      for (const group of groups) {
        const pending = group.map((o) => {
          const value = { TableName: o.key, TableStatus: 'status' in o ? o.status : '' };
          if (o.kind === 'get') return settle((cb) => store.tableDb.get(o.key, cb));
          if (o.kind === 'put') return settle((cb) => store.tableDb.put(o.key, value, cb));
          if (o.kind === 'del') return settle((cb) => store.tableDb.del(o.key, cb));
          return settle((cb) => store.tableDb.batch([{ type: 'put', key: o.key, value }], cb));
        });
        results.push(await Promise.all(pending));
      }
      for (const key of ['a', 'b']) results.push(await settle((cb) => store.getTable(key, cb)));
      return results;
    };
    await fc.assert(
      fc.asyncProperty(program, async (groups) => {
        const plain = createStore(false);
        const cached = createStore(true);
        setDynaliteSpeedups(ALL);
        // Warm the cache, so that hits are part of what is compared.
        for (const store of [plain, cached]) {
          for (const key of ['a', 'b']) {
            const value = { TableName: key, TableStatus: 'ACTIVE' };
            await cb2promise((cb) => store.tableDb.put(key, value, cb));
            await cb2promise((cb) => store.tableDb.get(key, cb));
          }
        }
        expect(await runOn(cached, groups)).toEqual(await runOn(plain, groups));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('after recreate (close + listen) the store gets a new, cached table db, not the old values', async () => {
    const store = createStore(true);
    setDynaliteSpeedups(ALL);
    await cb2promise((cb) => store.tableDb.put('orders', table, cb));
    expect(await cb2promise((cb) => store.getTable('orders', cb))).toEqual(table);
    await cb2promise((cb) => store.db.close(cb));
    store.recreate();
    openStores.push(store);
    // A memory store starts empty again: the cached description must not come back.
    const missing = await settle((cb) => store.getTable('orders', cb));
    expect(missing).toEqual({ error: 'NotFoundError' });
    await cb2promise((cb) => store.tableDb.put('orders', table, cb));
    const reads = countReads(store, 'table~');
    await cb2promise((cb) => store.getTable('orders', cb));
    await cb2promise((cb) => store.getTable('orders', cb));
    expect(reads.count).toBe(1);
  });

  it('a closed database answers with its error, not from the cache', async () => {
    const plain = createStore(false);
    const cached = createStore(true);
    setDynaliteSpeedups(ALL);
    const outcomes = [];
    for (const store of [plain, cached]) {
      await cb2promise((cb) => store.tableDb.put('orders', table, cb));
      await cb2promise((cb) => store.tableDb.get('orders', cb));
      await cb2promise((cb) => store.db.close(cb));
      outcomes.push(await settle((cb) => store.getTable('orders', cb)));
    }
    expect(outcomes[0]).toEqual({ error: 'Database is closed' });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('switched off, every get reads LevelDB (and the cache is right again when back on)', async () => {
    const store = createStore(true);
    setDynaliteSpeedups(NONE);
    await cb2promise((cb) => store.tableDb.put('orders', table, cb));
    const reads = countReads(store, 'table~');
    await cb2promise((cb) => store.tableDb.get('orders', cb));
    await cb2promise((cb) => store.tableDb.get('orders', cb));
    expect(reads.count).toBe(2);
    await cb2promise((cb) => store.tableDb.put('orders', { ...table, TableStatus: 'X' }, cb));
    setDynaliteSpeedups(ALL);
    expect(await cb2promise((cb) => store.tableDb.get('orders', cb))).toEqual({
      ...table,
      TableStatus: 'X',
    });
  });
});

describe('dynalite speedups: puts coalesced on disk', () => {
  function countBatches(store: Store): { batches: number[]; order: string[] } {
    const seen = { batches: [] as number[], order: [] as string[] };
    const { _batch, _del } = store.db;
    store.db._batch = function (this: unknown, ...args: unknown[]) {
      seen.batches.push((args[0] as unknown[]).length);
      seen.order.push('batch');
      return _batch.apply(this, args);
    };
    store.db._del = function (this: unknown, ...args: unknown[]) {
      seen.order.push('del');
      return _del.apply(this, args);
    };
    return seen;
  }
  const itemDb = (store: Store) =>
    (store as unknown as { getItemDb(n: string): Store['tableDb'] }).getItemDb('T');

  it('puts issued in one turn are one batch; each callback comes once its value is readable', async () => {
    const store = createStore(true, true);
    setDynaliteSpeedups(ALL);
    await cb2promise((cb) => itemDb(store).put('warm', 1, cb));
    const seen = countBatches(store);
    const readBack = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        cb2promise((cb) => itemDb(store).put(`k${i}`, { i }, cb)).then(() =>
          cb2promise((cb) => itemDb(store).get(`k${i}`, cb)),
        ),
      ),
    );
    expect(readBack).toEqual(Array.from({ length: 25 }, (_, i) => ({ i })));
    expect(seen.batches).toEqual([25]);
  });

  it('a del or batch sends queued puts down first (writes keep their order of issue)', async () => {
    const store = createStore(true, true);
    setDynaliteSpeedups(ALL);
    await cb2promise((cb) => itemDb(store).put('warm', 1, cb));
    const seen = countBatches(store);
    const put = cb2promise((cb) => itemDb(store).put('a', 1, cb));
    const del = cb2promise((cb) => itemDb(store).del('b', cb));
    await Promise.all([put, del]);
    expect(seen.order).toEqual(['batch', 'del']);
  });

  it('a graceful close waits for queued puts; after it, puts fail as the original does', async () => {
    const outcomes = [];
    for (const instrumented of [false, true]) {
      const store = createStore(instrumented, true);
      setDynaliteSpeedups(ALL);
      await cb2promise((cb) => itemDb(store).put('warm', 1, cb));
      const put = settle((cb) => itemDb(store).put('late', { v: 1 }, cb));
      const closed = settle((cb) => store.db.close(cb));
      const putResult = await put;
      await closed;
      const afterClose = await settle((cb) => itemDb(store).put('later', 2, cb));
      const reopened = dynaliteDb.create({ path: store.options.path });
      openStores.push(reopened);
      const stored = await settle((cb) => reopened.db.get('item-T~late', cb));
      outcomes.push({ putResult, afterClose, stored });
    }
    expect(outcomes[0]).toEqual({
      putResult: { value: undefined },
      afterClose: { error: 'Database is closed' },
      stored: { value: { v: 1 } },
    });
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('memory stores and the switched-off part write one put at a time', async () => {
    for (const [disk, parts] of [
      [false, ALL],
      [true, { ...ALL, coalescePuts: false, fastCheckTypes: false }],
    ] as const) {
      const store = createStore(true, disk);
      setDynaliteSpeedups(parts);
      const seen = countBatches(store);
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => cb2promise((cb) => itemDb(store).put(`k${i}`, i, cb))),
      );
      expect(seen.batches).toEqual([]);
    }
  });
});

describe('dynalite speedups: PutItem without the read of the existing item', () => {
  let dispatch: (store: Store, data: unknown, cb: Callback) => void;

  beforeAll(() => {
    setDynaliteSpeedups(NONE); // puts the dispatcher in the require cache
    dispatch = requireHere('dynalite/actions/putItem');
  });

  const keySchema = {
    AttributeDefinitions: [
      { AttributeName: 'orderId', AttributeType: 'N' },
      { AttributeName: 'itemId', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'orderId', KeyType: 'HASH' },
      { AttributeName: 'itemId', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
  const gsi = {
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byStatus',
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
  const lsi = {
    LocalSecondaryIndexes: [
      {
        IndexName: 'local',
        KeySchema: [
          { AttributeName: 'orderId', KeyType: 'HASH' },
          { AttributeName: 'status', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };

  const itemArb = fc.record(
    {
      orderId: fc.integer({ min: 1, max: 3 }).map((n) => ({ N: String(n) })),
      itemId: fc.integer({ min: 1, max: 3 }).map((n) => ({ N: String(n) })),
      status: fc.constantFrom('NEW', 'SHIPPED').map((s) => ({ S: s })),
      note: fc.string({ maxLength: 30 }).map((s) => ({ S: s || '-' })),
      amount: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((n) => ({ N: String(n) })),
    },
    { requiredKeys: ['orderId', 'itemId'] },
  );
  const putArb = fc.record(
    {
      Item: itemArb,
      ReturnValues: fc.constantFrom('NONE', 'ALL_OLD'),
      ReturnConsumedCapacity: fc.constantFrom('NONE', 'TOTAL', 'INDEXES'),
      ConditionExpression: fc.constantFrom(
        'attribute_not_exists(orderId)',
        'attribute_exists(orderId)',
        '#s = :s',
      ),
      Expected: fc.constant({ note: { Exists: false } }),
    },
    { requiredKeys: ['Item'] },
  );
  const writeArb = fc.oneof(
    { weight: 3, arbitrary: putArb.map((put) => ({ kind: 'put' as const, put })) },
    {
      weight: 1,
      arbitrary: fc
        .uniqueArray(itemArb, {
          minLength: 1,
          maxLength: 6,
          selector: (item) => `${item.orderId.N}/${item.itemId.N}`,
        })
        .map((items) => ({ kind: 'batch' as const, items })),
    },
  );

  type Write = typeof writeArb extends fc.Arbitrary<infer T> ? T : never;

  async function transcript(
    parts: DynaliteSpeedupParts,
    indexes: object,
    writes: Write[],
  ): Promise<{ answers: unknown[]; itemReads: number }> {
    const store = createStore(true);
    setDynaliteSpeedups(parts);
    const AttributeDefinitions = [...keySchema.AttributeDefinitions];
    if (Object.keys(indexes).length > 0) {
      AttributeDefinitions.push({ AttributeName: 'status', AttributeType: 'S' });
    }
    const created = await call(store, 'createTable', {
      TableName: 'Orders',
      ...keySchema,
      AttributeDefinitions,
      ...indexes,
    });
    expect(created).toHaveProperty('ok');
    await untilActive(store, 'Orders');
    const reads = countReads(store, 'item-Orders~');
    const answers: unknown[] = [];
    for (const write of writes) {
      if (write.kind === 'put') {
        const request: Record<string, unknown> = { TableName: 'Orders', ...write.put };
        if (request.ConditionExpression === '#s = :s') {
          request.ExpressionAttributeNames = { '#s': 'status' };
          request.ExpressionAttributeValues = { ':s': { S: 'NEW' } };
        }
        if (request.ConditionExpression !== undefined) delete request.Expected;
        answers.push(await call(store, 'putItem', request));
      } else {
        const RequestItems = { Orders: write.items.map((Item) => ({ PutRequest: { Item } })) };
        answers.push(await call(store, 'batchWriteItem', { RequestItems }));
      }
    }
    const itemReads = reads.count;
    answers.push(await call(store, 'scan', { TableName: 'Orders' }));
    for (const index of [...(gsi.GlobalSecondaryIndexes ?? [])]) {
      if ('GlobalSecondaryIndexes' in indexes) {
        answers.push(
          await call(store, 'scan', { TableName: 'Orders', IndexName: index.IndexName }),
        );
      }
    }
    if ('LocalSecondaryIndexes' in indexes) {
      for (const orderId of ['1', '2', '3']) {
        answers.push(
          await call(store, 'query', {
            TableName: 'Orders',
            IndexName: 'local',
            KeyConditionExpression: 'orderId = :o',
            ExpressionAttributeValues: { ':o': { N: orderId } },
          }),
        );
      }
    }
    return { answers, itemReads };
  }

  it('same answers, items and indexes as dynalite putItem for random PutItem / BatchWriteItem', async () => {
    // The item read counts below also show that the batch action (which bound putItem
    // when it loaded, after the dispatcher was in place) goes through the dispatcher.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom({}, gsi, lsi, { ...gsi, ...lsi }),
        fc.array(writeArb, { minLength: 1, maxLength: 12 }),
        async (indexes, writes) => {
          const plain = await transcript(NONE, indexes, writes);
          const fast = await transcript(ALL, indexes, writes);
          expect(fast.answers).toEqual(plain.answers);
          // Without indexes, only puts that need the old item read it (among those that
          // got past validation: dynalite reads nothing for the others).
          if (Object.keys(indexes).length === 0) {
            const invalid = (i: number) =>
              JSON.stringify(plain.answers[i]).includes('ValidationException');
            const needed = writes.filter(
              (w, i) =>
                w.kind === 'put' &&
                !invalid(i) &&
                (w.put.ConditionExpression !== undefined ||
                  w.put.Expected !== undefined ||
                  w.put.ReturnValues === 'ALL_OLD' ||
                  (w.put.ReturnConsumedCapacity ?? 'NONE') !== 'NONE'),
            ).length;
            expect(fast.itemReads).toBe(needed);
            expect(plain.itemReads).toBe(
              writes
                .filter((w, i) => !invalid(i))
                .reduce((sum, w) => sum + (w.kind === 'put' ? 1 : w.items.length), 0),
            );
          } else {
            expect(fast.itemReads).toBe(plain.itemReads);
          }
        },
      ),
      { seed: SEED, numRuns: 120 },
    );
  });

  it('the dispatcher runs dynalite putItem unless the speedups are on', async () => {
    const store = createStore(true);
    setDynaliteSpeedups(NONE);
    expect(await call(store, 'createTable', { TableName: 'Orders', ...keySchema })).toHaveProperty(
      'ok',
    );
    await untilActive(store, 'Orders');
    const reads = countReads(store, 'item-Orders~');
    const item = { orderId: { N: '1' }, itemId: { N: '2' } };
    await call(store, 'putItem', { TableName: 'Orders', Item: item });
    expect(reads.count).toBe(1);
    setDynaliteSpeedups(ALL);
    await new Promise<void>((resolve, reject) =>
      dispatch(store, { TableName: 'Orders', Item: item }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    expect(reads.count).toBe(1);
  });
});

describe('installDynaliteSpeedups', () => {
  it('installs every part, idempotently; uninstall puts dynalite db.create back', () => {
    uninstallDynaliteSpeedups();
    const originalCreate = dynaliteDb.create;
    expect(dynaliteSpeedupsInstalled()).toBe(false);
    installDynaliteSpeedups();
    installDynaliteSpeedups();
    expect(dynaliteSpeedupsInstalled()).toBe(true);
    expect(dynaliteDb.create).not.toBe(originalCreate);
    uninstallDynaliteSpeedups();
    expect(dynaliteSpeedupsInstalled()).toBe(false);
    expect(dynaliteDb.create).toBe(originalCreate);
  });

  it('loadDynalite loads dynalite once, with its actions bound to the dispatcher', () => {
    const dynalite = loadDynalite();
    expect(loadDynalite()).toBe(dynalite);
    // Nobody loaded it before in this process: the shared copy, not a private one.
    expect(requireHere('dynalite')).toBe(dynalite);
    installDynaliteSpeedups();
    expect(dynaliteSpeedupsInstalled()).toBe(true);
  });
});

describe('dynalite speedups: response checksums by zlib', () => {
  // The module instance dynalite's server reads `unsigned` from, per response.
  const crc32 = createRequire(requireHere.resolve('dynalite'))('buffer-crc32') as {
    unsigned: (input: unknown, previous?: unknown) => number;
  };

  afterAll(() => installDynaliteSpeedups());

  it('gives buffer-crc32 own number for every body, and is switched with the others', () => {
    setDynaliteSpeedups(NONE);
    const own = crc32.unsigned;
    // Bodies as dynalite's server sends them: JSON text, ASCII or not.
    const bodies = fc.sample(fc.json(), { numRuns: 300, seed: 22 });
    bodies.push('', '{"S":"Zoë Ångström 東京 🚚"}', 'x'.repeat(1 << 20));
    const expected = bodies.map((body) => own(body));
    setDynaliteSpeedups({ ...NONE, nativeCrc32: true });
    expect(crc32.unsigned).not.toBe(own);
    expect(bodies.map((body) => crc32.unsigned(body))).toEqual(expected);
    // Buffers, a running value and numbers too (buffer-crc32's other calls).
    const buffer = Buffer.from('{"Items":[]}');
    expect(crc32.unsigned(buffer)).toBe(own(buffer));
    expect(crc32.unsigned(buffer, 1234)).toBe(own(buffer, 1234));
    expect(crc32.unsigned(4)).toBe(own(4));
    installDynaliteSpeedups();
    expect(dynaliteSpeedupsInstalled()).toBe(true);
    uninstallDynaliteSpeedups();
    expect(crc32.unsigned).toBe(own);
    expect(dynaliteSpeedupsInstalled()).toBe(false);
  });
});
