// Five shortcuts for dynalite 4.0.0 (node_modules/dynalite), four on the BatchWriteItem
// path and one on every response, each returning what dynalite itself returns (see
// DynaliteSpeedupParts; the bench measured each one):
//
//  1. Table cache. Every PutItem (so every item of a BatchWriteItem) starts with
//     `store.getTable`, a LevelDB read plus a JSON decode of the table description. The
//     store's table sub-db (`store.tableDb`, the one object every reader and writer of
//     table descriptions goes through) gets a `get` that answers from a cache of the
//     decoded description, deep-copied for each call so that callers may mutate what they
//     get, as they do. Every put/del/batch on that sub-db empties the cache when
//     it is issued and again when it completes; a read populates the cache only if no
//     write was in flight or completed while it ran, so it never stores a stale value.
//     Hooked where dynalite looks it up at call time: `require('dynalite/db').create`,
//     which dynalite's server calls once per server (`db.create(options)`); a store's
//     `recreate` (after close + listen) builds a fresh, uncached sub-db and is re-hooked.
//  2. No read of the existing item in PutItem when the answer cannot depend on it: no
//     `Expected` / `ConditionExpression` (db.checkConditional returns null without looking
//     at it), `ReturnValues` absent or NONE (the only use is ALL_OLD), `ReturnConsumedCapacity`
//     absent or NONE (db.addConsumedCapacity returns undefined without looking at it) and
//     a table without local or global secondary indexes (db.updateIndexes then has no
//     index to upkeep, whatever the old item). The per-key lock, validation, key, index
//     upkeep call and write are the original's, in the same order.
//     batchWriteItem.js binds `require('./putItem')` when it loads, and dynalite's
//     index.js loads every action when it loads, so the replacement must be in the
//     require cache first: `loadDynalite()` puts a dispatcher in place of putItem.js's
//     exports before it loads dynalite (and loads a private copy of dynalite's index and
//     actions if someone loaded them earlier). The dispatcher calls the original putItem
//     unless the speedups are installed and the request qualifies.
//  3. Puts coalesced: the puts an on-disk store gets in one event-loop turn (a
//     BatchWriteItem's 25) go down as one LevelDB batch (see coalescePuts).
//  4. Request type checks: `validations.checkTypes` (looked up per request by dynalite's
//     server) replaced by a transcription with a fast path for plain `{S}` / `{N}`
//     attribute values (dynaliteCheckTypes.ts).
//  5. Response checksums: dynalite's server signs each response body with an `x-amz-crc32`
//     header, computed by buffer-crc32 in JavaScript over a UTF-8 copy of the body (a
//     Scan page is 1 MB: measured ~20 % of the emulator's CPU time in a Scan of the
//     whole table). `crc32.unsigned` (looked up per response on buffer-crc32's exports,
//     which only dynalite uses) is answered by zlib's native CRC-32 of the same bytes:
//     the same polynomial, so the same number (tested on ASCII and multi-byte text).
//
// Not a shortcut and always on (loadDynalite installs it, `db.create` is never left as
// dynalite's own): Scans and Queries close their LevelDB iterators (dynaliteIterators.ts).
import type dynalite from 'dynalite';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { checkTypes as fastCheckTypes } from './dynaliteCheckTypes.js';
import { closeIteratorsOf, type StoreWithDb } from './dynaliteIterators.js';

type Callback = (err?: Error | null, value?: unknown) => void;

/** dynalite's server factory (the `dynalite` module's export). */
type Dynalite = typeof dynalite;

/** The table sub-db of a dynalite store (a key-prefixing wrapper over the main LevelDB). */
interface TableDb {
  get(key: unknown, cb: Callback): void;
  put(key: unknown, value: unknown, cb?: Callback): void;
  del(key: unknown, cb?: Callback): void;
  batch(ops: unknown[], cb?: Callback): void;
  [name: string | symbol]: unknown;
}

interface ItemDb {
  get(key: string, cb: Callback): void;
  put(key: string, value: unknown, cb: Callback): void;
  lock(key: string, fn: (release: (cb: Callback) => Callback) => void): void;
}

/** The main LevelDB of a store, with dynalite's callback wrappers as own properties. */
interface MainDb {
  status?: string;
  put(key: unknown, value: unknown, cb?: Callback): Promise<void> | void;
  del(key: unknown, cb?: Callback): Promise<void> | void;
  batch(ops: unknown[], cb?: Callback): Promise<void> | void;
  [name: string | symbol]: unknown;
}

/** A dynalite store, as `db.create(options)` returns it. */
interface DynaliteStore {
  options: { path?: string };
  db: MainDb;
  tableDb: TableDb;
  lifecycleManager?: {
    getState(): string;
    trackOperation(operation: Promise<unknown>): Promise<unknown>;
  };
  getItemDb(name: string): ItemDb;
  getTable(name: string, cb: Callback): void;
  recreate(): void;
  [name: string | symbol]: unknown;
}

/** A table description, as far as putItem reads it. */
interface TableDescription {
  LocalSecondaryIndexes?: unknown;
  GlobalSecondaryIndexes?: unknown;
}

/** The PutItem request fields that decide whether the old item matters. */
interface PutItemData {
  TableName: string;
  Item: Record<string, unknown>;
  Expected?: unknown;
  ConditionExpression?: unknown;
  ReturnValues?: string;
  ReturnConsumedCapacity?: string;
  _condition?: unknown;
}

type PutItem = (store: DynaliteStore, data: PutItemData, cb: Callback) => void;
type CreateStore = (options?: object) => DynaliteStore;

/** The helpers of `dynalite/db` that putItem calls (looked up at call time, as it does). */
interface DynaliteDb {
  create: CreateStore;
  validateItem(item: unknown, table: unknown): Error | null | undefined;
  createKey(item: unknown, table: unknown): string;
  checkConditional(data: unknown, existingItem: unknown): Error | null | undefined;
  addConsumedCapacity(data: unknown, isRead: boolean, a: unknown, b: unknown): unknown;
  updateIndexes(
    store: DynaliteStore,
    table: unknown,
    existingItem: unknown,
    item: unknown,
    cb: Callback,
  ): void;
  [name: string | symbol]: unknown;
}

/** Which shortcuts are on (the bench switches them one by one). */
export interface DynaliteSpeedupParts {
  /** 1. Table descriptions answered from a cache. */
  tableCache: boolean;
  /** 2. PutItem skips reading the existing item when it cannot matter. */
  putItemSkipRead: boolean;
  /** 3. Puts to the on-disk LevelDB issued in one event-loop turn go down as one batch. */
  coalescePuts: boolean;
  /** 4. Request type checks answer plain `{S}` / `{N}` attribute values directly. */
  fastCheckTypes: boolean;
  /** 5. Response bodies' `x-amz-crc32` computed by zlib's native CRC-32. */
  nativeCrc32: boolean;
}

type Crc32Unsigned = (input: unknown, previous?: unknown) => number;

/** buffer-crc32's exports, as dynalite's server uses them (`crc32.unsigned(body)`). */
interface BufferCrc32 {
  unsigned: Crc32Unsigned;
  [name: string | symbol]: unknown;
}

type CheckTypes = (data: Record<string, unknown>, types: never) => Record<string, unknown>;

/** dynalite's `validations` module: its server calls `checkTypes` on it per request. */
interface DynaliteValidations {
  checkTypes: CheckTypes;
  [name: string | symbol]: unknown;
}

/** State shared by every copy of this module in the process (ESM and CJS builds). */
interface SharedState {
  parts: DynaliteSpeedupParts;
  originalCreate: CreateStore;
  /** dynalite's `create` with its iterators closed (dynaliteIterators.ts): the floor. */
  fixedCreate: CreateStore;
  instrumentedCreate: CreateStore;
  originalCheckTypes: CheckTypes;
  fastCheckTypes: CheckTypes;
  originalCrc32: Crc32Unsigned;
  nativeCrc32: Crc32Unsigned;
  originalPutItem?: PutItem;
  putItemDispatch?: PutItem;
  /** The dynalite server factory loaded with the dispatcher in place. */
  dynalite?: Dynalite;
}

// Symbol.for: the ESM and CJS builds of this package may both be loaded in one process;
// whichever comes first sets the state up, both use it.
const STATE = Symbol.for('@kse/local-stack.dynaliteSpeedups');
const CACHED = Symbol.for('@kse/local-stack.dynaliteTableCache');
const COALESCED = Symbol.for('@kse/local-stack.dynalitePutCoalescing');

/** Every shortcut off (what `uninstallDynaliteSpeedups` sets). */
export const NO_PARTS: Readonly<DynaliteSpeedupParts> = Object.freeze({
  tableCache: false,
  putItemSkipRead: false,
  coalescePuts: false,
  fastCheckTypes: false,
  nativeCrc32: false,
});
/** Every shortcut on (what `installDynaliteSpeedups` sets). */
export const ALL_PARTS: Readonly<DynaliteSpeedupParts> = Object.freeze({
  tableCache: true,
  putItemSkipRead: true,
  coalescePuts: true,
  fastCheckTypes: true,
  nativeCrc32: true,
});

function thisModuleFile(): string {
  // CJS build: __filename; ESM build, vitest and tsx: import.meta.url.
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}

let requireHere: NodeJS.Require | undefined;
let dbModule: DynaliteDb | undefined;
let validationsModule: DynaliteValidations | undefined;
let crc32Module: BufferCrc32 | undefined;

function req(): NodeJS.Require {
  return (requireHere ??= createRequire(thisModuleFile()));
}

/** The `dynalite/db` module instance that dynalite, resolved from this package, uses. */
function dynaliteDb(): DynaliteDb {
  dbModule ??= req()('dynalite/db') as DynaliteDb;
  return dbModule;
}

/** The buffer-crc32 module instance that dynalite's server uses. */
function dynaliteCrc32(): BufferCrc32 {
  crc32Module ??= createRequire(req().resolve('dynalite'))('buffer-crc32') as BufferCrc32;
  return crc32Module;
}

/** The `dynalite/validations` module instance that dynalite's server uses. */
function dynaliteValidations(): DynaliteValidations {
  validationsModule ??= req()('dynalite/validations') as DynaliteValidations;
  return validationsModule;
}

function state(): SharedState {
  const db = dynaliteDb();
  let shared = db[STATE] as SharedState | undefined;
  if (shared === undefined) {
    const originalCreate = db.create;
    const fixedCreate = function create(this: unknown, options?: object): DynaliteStore {
      const store = originalCreate.call(this, options);
      closeIteratorsOf(store as unknown as StoreWithDb);
      return store;
    };
    shared = {
      parts: { ...NO_PARTS },
      originalCheckTypes: dynaliteValidations().checkTypes,
      fastCheckTypes: fastCheckTypes as CheckTypes,
      originalCrc32: dynaliteCrc32().unsigned,
      nativeCrc32: nativeCrc32Of(dynaliteCrc32().unsigned),
      originalCreate,
      fixedCreate,
      instrumentedCreate: function create(this: unknown, options?: object): DynaliteStore {
        const store = fixedCreate.call(this, options);
        instrumentStore(store);
        return store;
      },
    };
    Object.defineProperty(db, STATE, { value: shared });
  }
  return shared;
}

// ---------------------------------------------------------------------------------------
// 5. Response checksums

/**
 * buffer-crc32's `unsigned` for a string or a buffer and no running value (the server's
 * only call): zlib's CRC-32 of the same bytes (a string's UTF-8, as buffer-crc32 encodes
 * it). Anything else goes to buffer-crc32's own.
 */
function nativeCrc32Of(original: Crc32Unsigned): Crc32Unsigned {
  return function unsigned(input, previous) {
    if (previous === undefined && (typeof input === 'string' || Buffer.isBuffer(input))) {
      return zlibCrc32(input);
    }
    return original(input, previous);
  };
}

// ---------------------------------------------------------------------------------------
// 1. Table cache

/**
 * A deep copy of a JSON tree (plain objects, arrays, primitives, as `JSON.parse` makes
 * them): equal to `JSON.parse` of its text, same key order, an own `__proto__` key kept
 * as an own property. About 4× faster than `JSON.parse` for a table description.
 */
export function cloneJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const element of value) out.push(cloneJson(element));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const inner = cloneJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: inner,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      out[key] = inner;
    }
  }
  return out;
}

/**
 * Gives `store.tableDb` a caching `get` and invalidating `put`/`del`/`batch`, and its
 * `recreate` a re-hook. Stays on the store; `parts.tableCache` decides at each call
 * whether the cache is used, and writes invalidate it either way, so it is never stale
 * when switched back on.
 */
function instrumentStore(store: DynaliteStore): void {
  const shared = state();
  const tableDb = store.tableDb;
  if (tableDb[CACHED] === undefined) {
    Object.defineProperty(tableDb, CACHED, { value: true });
    const originalGet = tableDb.get;
    // Private copies, never handed out: each hit gets its own clone.
    const cache = new Map<string, unknown>();
    // Bumped when a write is issued and when it completes; writes in flight counted.
    let generation = 0;
    let writing = 0;
    const invalidate = (): void => {
      generation += 1;
      cache.clear();
    };
    // Where the original would fail or wait (closed or not yet open), let it.
    const open = (): boolean =>
      store.db.status === 'open' && store.lifecycleManager?.getState() !== 'closed';

    tableDb.get = function get(this: unknown, key: unknown, cb: Callback): void {
      if (!shared.parts.tableCache || typeof key !== 'string' || typeof cb !== 'function') {
        originalGet.call(this, key, cb);
        return;
      }
      const cached = cache.get(key);
      if (cached !== undefined && open()) {
        // The original answers from a setImmediate too (after LevelDB's promise).
        setImmediate(cb, null, cloneJson(cached));
        return;
      }
      const started = generation;
      originalGet.call(this, key, (err, value) => {
        if (!err && value !== undefined && writing === 0 && generation === started) {
          // Before cb: the caller may mutate `value`. LevelDB stored JSON.stringify of
          // what was put and handed back its JSON.parse: the same round trip here gives
          // the same tree (JSON.stringify never writes -0, so no -0 on either side).
          cache.set(key, JSON.parse(JSON.stringify(value)));
        }
        cb(err, value);
      });
    };

    for (const name of ['put', 'del', 'batch'] as const) {
      const original = tableDb[name] as (...args: unknown[]) => unknown;
      tableDb[name] = function write(this: unknown, ...args: unknown[]): unknown {
        invalidate();
        writing += 1;
        const last = args.length - 1;
        const cb = args[last];
        // Without a callback the completion cannot be seen: `writing` stays up and this
        // store's cache stays off (dynalite always passes one).
        if (typeof cb === 'function') {
          args[last] = function done(this: unknown, ...results: unknown[]): unknown {
            writing -= 1;
            invalidate();
            return (cb as (...a: unknown[]) => unknown).apply(this, results);
          };
        }
        return original.apply(this, args);
      } as never;
    }
  }

  coalescePuts(store);

  const recreate = store.recreate;
  store.recreate = function (this: DynaliteStore): void {
    // Copies a fresh store's members (a new, plain table sub-db and recreate) onto this.
    recreate.call(this);
    instrumentStore(this);
  };
}

// ---------------------------------------------------------------------------------------
// 3. Puts coalesced into batches

/**
 * Gives the main LevelDB of an on-disk store a `put` that queues the write and issues
 * every put queued in this event-loop turn as one `batch` at the next turn (LevelDB
 * applies a batch in order, atomically), then calls each put's callback from its own
 * setImmediate, as dynalite's `put` does. Each native call costs the main thread about
 * as much as the write itself, and a BatchWriteItem's 25 puts reach this point in the
 * same turn.
 * Why it answers as the original: a put's callback still comes after its data is in
 * LevelDB, so nothing that waits for it (dynalite's per-item lock, the HTTP answer, a
 * later request) can tell; classic-level reads and writes run on libuv's thread pool,
 * so a read issued while a put is in flight could already see either value. A `del` or
 * `batch` sends the queue down first, so writes keep their order of issue. The queued
 * writes are tracked by dynalite's lifecycle manager from the moment they are queued, so
 * a graceful close waits for them; once the database is closed, puts go straight to the
 * original and fail as it fails. In-memory stores (memory-level applies a put before it
 * returns, so order against reads is exact there) are left alone.
 */
function coalescePuts(store: DynaliteStore): void {
  const shared = state();
  const mainDb = store.db;
  const lifecycle = store.lifecycleManager;
  if (!store.options.path || mainDb[COALESCED] !== undefined || lifecycle === undefined) return;
  Object.defineProperty(mainDb, COALESCED, { value: true });
  const { put, del, batch } = mainDb;
  let queue: { key: unknown; value: unknown; cb: Callback }[] = [];
  let settle: (() => void) | undefined;

  const flush = (): void => {
    if (queue.length === 0) return;
    const queued = queue;
    const done = settle!;
    queue = [];
    settle = undefined;
    const operations = queued.map(({ key, value }) => ({ type: 'put', key, value }));
    // Promise form: dynalite's wrapper tracks it and maps a closed database's error.
    const written = batch.call(mainDb, operations) as Promise<void>;
    written.then(
      () => {
        done();
        for (const { cb } of queued) setImmediate(cb, null);
      },
      (err: Error) => {
        done();
        for (const { cb } of queued) setImmediate(cb, err);
      },
    );
  };

  mainDb.put = function (this: unknown, key: unknown, value: unknown, cb?: Callback) {
    if (
      !shared.parts.coalescePuts ||
      typeof cb !== 'function' ||
      lifecycle.getState() === 'closed'
    ) {
      flush();
      return put.call(this, key, value, cb);
    }
    if (queue.length === 0) {
      void lifecycle.trackOperation(new Promise<void>((resolve) => (settle = resolve)));
      setImmediate(flush);
    }
    queue.push({ key, value, cb });
  };
  mainDb.del = function (this: unknown, ...args: [unknown, Callback?]) {
    flush();
    return del.apply(this, args);
  };
  mainDb.batch = function (this: unknown, ...args: [unknown[], Callback?]) {
    flush();
    return batch.apply(this, args);
  };
}

// ---------------------------------------------------------------------------------------
// 2. PutItem without the read of the existing item

/** True when the request's answer cannot depend on the existing item (table aside). */
export function putItemIgnoresExistingItem(data: PutItemData): boolean {
  return (
    !data._condition &&
    !data.Expected &&
    data.ConditionExpression == null &&
    (data.ReturnValues == null || data.ReturnValues === 'NONE') &&
    (data.ReturnConsumedCapacity == null || data.ReturnConsumedCapacity === 'NONE')
  );
}

/** True when db.updateIndexes has no index of this table to keep up. */
export function tableHasNoIndexes(table: TableDescription): boolean {
  const none = (indexes: unknown): boolean =>
    !indexes || (Array.isArray(indexes) && indexes.length === 0);
  return none(table.LocalSecondaryIndexes) && none(table.GlobalSecondaryIndexes);
}

/**
 * dynalite 4.0.0's actions/putItem.js (Apache-2.0), step for step, except that the
 * existing item is not read when the table has no index (the caller checked the request).
 */
function putItemSkippingRead(store: DynaliteStore, data: PutItemData, cb: Callback): void {
  const db = dynaliteDb();
  store.getTable(data.TableName, (err, found) => {
    if (err) return cb(err);
    const table = found as TableDescription;

    const invalid = db.validateItem(data.Item, table);
    if (invalid != null) return cb(invalid);

    const itemDb = store.getItemDb(data.TableName);
    const key = db.createKey(data.Item, table);
    const readExisting = !tableHasNoIndexes(table);

    itemDb.lock(key, (release) => {
      cb = release(cb);

      const withExisting = (existingItem: unknown): void => {
        const invalid = db.checkConditional(data, existingItem);
        if (invalid != null) return cb(invalid);

        const returnObj: { Attributes?: unknown; ConsumedCapacity?: unknown } = {};

        if (existingItem && data.ReturnValues == 'ALL_OLD') returnObj.Attributes = existingItem;

        returnObj.ConsumedCapacity = db.addConsumedCapacity(data, false, existingItem, data.Item);

        db.updateIndexes(store, table, existingItem, data.Item, (err) => {
          if (err) return cb(err);

          itemDb.put(key, data.Item, (err) => {
            if (err) return cb(err);
            cb(null, returnObj);
          });
        });
      };

      if (!readExisting) return withExisting(undefined);
      itemDb.get(key, (err, existingItem) => {
        if (err && err.name != 'NotFoundError') return cb(err);
        withExisting(existingItem);
      });
    });
  });
}

/** Replaces putItem.js's exports in the require cache with the dispatcher (once). */
function hookPutItem(): void {
  const shared = state();
  if (shared.putItemDispatch !== undefined) return;
  const path = req().resolve('dynalite/actions/putItem');
  const original = req()(path) as PutItem;
  const dispatch: PutItem = function putItem(store, data, cb) {
    if (shared.parts.putItemSkipRead && putItemIgnoresExistingItem(data)) {
      return putItemSkippingRead(store, data, cb);
    }
    return original(store, data, cb);
  };
  shared.originalPutItem = original;
  shared.putItemDispatch = dispatch;
  req().cache[path]!.exports = dispatch;
}

/**
 * dynalite's server factory, loaded so that its actions use the putItem dispatcher: with
 * no speedups installed it calls dynalite's own putItem, so this is dynalite unchanged.
 * If dynalite's index was loaded before (by someone else), its index and action modules
 * are loaded again as a private copy (sharing `dynalite/db` and the validations), and the
 * require cache is left as it was.
 */
export function loadDynalite(): Dynalite {
  const shared = state();
  // Whatever the speed-ups: dynalite's Scans and Queries close their iterators.
  if (dynaliteDb().create === shared.originalCreate) dynaliteDb().create = shared.fixedCreate;
  if (shared.dynalite !== undefined) return shared.dynalite;
  hookPutItem();
  const cache = req().cache;
  const indexPath = req().resolve('dynalite');
  const actionsDir = join(dirname(indexPath), 'actions');
  const putItemPath = req().resolve('dynalite/actions/putItem');
  // Loaded before the dispatcher was in place: these hold dynalite's own putItem.
  const stale = Object.entries(cache).filter(
    ([path]) => path === indexPath || (dirname(path) === actionsDir && path !== putItemPath),
  );
  for (const [path] of stale) delete cache[path];
  try {
    shared.dynalite = req()(indexPath) as Dynalite;
  } finally {
    // Whoever loaded them keeps their copy; ours is private.
    if (stale.length > 0) for (const [path, module] of stale) cache[path] = module;
  }
  return shared.dynalite;
}

// ---------------------------------------------------------------------------------------

/**
 * Switches the shortcuts one by one (benchmarks and tests); {@link installDynaliteSpeedups}
 * switches them all on.
 */
export function setDynaliteSpeedups(parts: DynaliteSpeedupParts): void {
  const shared = state();
  hookPutItem();
  Object.assign(shared.parts, parts);
  // Stores created from now on get the table cache hooks (harmless while it is off).
  dynaliteDb().create =
    parts.tableCache || parts.coalescePuts ? shared.instrumentedCreate : shared.fixedCreate;
  // Looked up per request: applies to running servers at once.
  dynaliteValidations().checkTypes = parts.fastCheckTypes
    ? shared.fastCheckTypes
    : shared.originalCheckTypes;
  // Looked up per response: applies to running servers at once.
  dynaliteCrc32().unsigned = parts.nativeCrc32 ? shared.nativeCrc32 : shared.originalCrc32;
}

/**
 * Makes dynalite (the copy resolved from `@kse/local-stack`) in this process cheaper on
 * the write path, with the same answers and the same stored data as its own code
 * (tested side by side): table descriptions come from a cache instead of a LevelDB read
 * per item; PutItem (and each put of a BatchWriteItem) skips reading the existing item
 * when nothing in the answer depends on it (no condition, no ReturnValues, no
 * ReturnConsumedCapacity, no secondary index); an on-disk store writes the puts of one
 * event-loop turn as one LevelDB batch; request type checks answer plain `{S}` / `{N}`
 * attribute values directly; responses' `x-amz-crc32` comes from zlib's native CRC-32.
 * Idempotent. The type checks and the checksums apply at once; the cache and the
 * batching to dynalite servers created after the call; the PutItem shortcut to every
 * dynalite this package loads (`startLocalStack` loads it through `loadDynalite`).
 * `startLocalStack` (and so every `spawnLocalStack` child) calls it with `speedups: true`.
 *
 * @example
 * ```ts
 * installDynaliteSpeedups();
 * const stack = await startLocalStack(); // the dynalite it starts has them
 * ```
 */
export function installDynaliteSpeedups(): void {
  setDynaliteSpeedups(ALL_PARTS);
}

/**
 * Puts dynalite's own code paths back (benchmarks and tests compare the two), but for
 * the iterator fix, which stays (see dynaliteIterators.ts).
 */
export function uninstallDynaliteSpeedups(): void {
  setDynaliteSpeedups(NO_PARTS);
}

/** True when every shortcut is on for dynalite servers created from now on. */
export function dynaliteSpeedupsInstalled(): boolean {
  const shared = state();
  return (
    shared.parts.tableCache &&
    shared.parts.putItemSkipRead &&
    shared.parts.coalescePuts &&
    shared.parts.fastCheckTypes &&
    shared.parts.nativeCrc32 &&
    dynaliteValidations().checkTypes === shared.fastCheckTypes &&
    dynaliteCrc32().unsigned === shared.nativeCrc32 &&
    dynaliteDb().create === shared.instrumentedCreate &&
    req().cache[req().resolve('dynalite/actions/putItem')]?.exports === shared.putItemDispatch
  );
}
