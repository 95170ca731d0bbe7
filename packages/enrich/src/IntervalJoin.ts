import type { EnrichedOrderItem, Order, OrderItem } from '@kse/schemas';
import { EnrichError, invalidOption, type DeadLetter } from './errors.js';
import {
  addStats,
  emptyStats,
  type JoinBatch,
  type JoinStats,
  type ProcessOptions,
  type SweepOptions,
} from './joinBatch.js';
import { inherit, type Adopted, type JoinParent } from './joinInheritance.js';
import type { JoinKeyState, JoinScopeMeta, JoinStateStore } from './joinState.js';
import { JoinTable, NONE, ORDER_ABSENT, ORDER_MATCHED } from './joinTable.js';
import type { ProductLookup } from './referenceTable.js';
import type { TimedRecord } from './types.js';
import { InMemoryJoinStore, type InPlaceBatch } from './InMemoryJoinStore.js';

/**
 * Which time the join compares.
 *
 * @example
 * ```ts
 * new IntervalJoin({ time: 'event' satisfies JoinTime, allowedLatenessMs: 5_000 });
 * ```
 */
export type JoinTime = 'arrival' | 'event';

/**
 * Options of {@link IntervalJoin}.
 *
 * @example
 * ```ts
 * new IntervalJoin({ windowMs: 60_000, time: 'arrival', products, store: new InMemoryJoinStore() });
 * ```
 */
export interface IntervalJoinOptions {
  /** Where state lives between batches. Default: a new {@link InMemoryJoinStore}. */
  store?: JoinStateStore;
  /** An order and an item match when their times differ by at most this. Default 60,000 ms. */
  windowMs?: number;
  /**
   * `'arrival'` (default): the record's arrival time (Kinesis `ApproximateArrivalTimestamp`),
   * as the sample's `ROWTIME`. `'event'`: the record's `orderDateTime`.
   */
  time?: JoinTime;
  /**
   * How far behind the largest time seen a record may still come and be joined exactly.
   * Default 0 for arrival time (in order per shard) and 10,000 ms for event time.
   */
  allowedLatenessMs?: number;
  /** Products for the LEFT JOIN; omitted, every `productName` is null. */
  products?: ProductLookup;
  /** Clock for the reference table's refresh and for `sweep()`, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
  /**
   * The parent shards of this join's shard, after a reshard (Kinesis processes a parent
   * to its end before its children). On the first batch of a scope that has not yet done
   * so, the join takes over the parents' state (the keys the child owns) and their clock;
   * it is committed with that batch, and the keys are then deleted from the parents. Give
   * it for every shard (a shard without parents returns `[]`); omitted, no state is taken.
   */
  parents?: () => Promise<readonly JoinParent[]> | readonly JoinParent[];
}

/**
 * Defaults of {@link IntervalJoinOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_INTERVAL_JOIN_OPTIONS.windowMs; // 60000
 * ```
 */
export const DEFAULT_INTERVAL_JOIN_OPTIONS = {
  windowMs: 60_000,
  time: 'arrival',
} satisfies Partial<IntervalJoinOptions>;

type RunKind = 'process' | 'expire' | 'sweep';

/** What one call works on (internal). */
interface Run {
  kind: RunKind;
  records: readonly TimedRecord[];
  /** For `expire`: the join time to advance to; for `sweep`: the wall clock. */
  at: number | undefined;
  checkpoint: string | undefined;
  ifUnchanged: boolean;
  stats: JoinStats;
  rows: EnrichedOrderItem[];
  /** For each row, the index of the input record that completed its pair. */
  rowInputs: number[];
  /** The index of the input record being applied. */
  input: number;
  deadLetters: DeadLetter[];
  maxTime: number;
  maxArrival: number;
  /** Set for a batch applied in place (in-memory store). */
  txn: InPlaceBatch | undefined;
  memory: InMemoryJoinStore | undefined;
}

/**
 * The symmetric interval join of orders and items on `orderId`, with the products LEFT
 * JOIN — the replacement of the sample's Kinesis Data Analytics SQL. Pure and
 * transport-agnostic: feed it batches of typed records in arrival order, send the rows
 * and dead letters it returns, then commit the batch.
 *
 * Semantics: an order and an item of the same `orderId` match when their times differ by
 * at most `windowMs` (either may come first); each match emits one row when the second
 * of the pair is processed. The watermark is the largest time seen minus
 * `allowedLatenessMs`; an entry is dropped once `time + windowMs < watermark`, when no
 * partner can still match it. An item dropped without a match becomes a
 * `KSE_JOIN_UNMATCHED` dead letter, an order dropped without a match a
 * `KSE_JOIN_UNMATCHED_ORDER` one. {@link sweep} moves time on for a shard without
 * traffic.
 *
 * State follows output: every call returns a {@link JoinBatch} whose state change is
 * applied only by its `commit()`, once the outputs are acknowledged. A batch that is not
 * committed is undone, so a retried batch reproduces exactly the rows it produced before:
 * `event_ts` is the later arrival time of the pair, taken from the stored copies, never
 * the wall clock (given the same reference data).
 *
 * Duplicates (one rule, see the package README): a copy of a held record with the same
 * attributes is a redelivery — state keeps the held copy and its pairs are emitted again,
 * byte-identical; a copy with other attributes is an update — its attributes replace the
 * held copy's (last write wins; the times of the first copy stay) and its pairs are
 * emitted again with the new attributes.
 *
 * @example
 * ```ts
 * const join = new IntervalJoin({ store: new InMemoryJoinStore(), products: await loadReferenceTable({ file: 'products.json' }) });
 * const batch = await join.process(preprocess(inputs).records);
 * await writer.write(batch.rows);
 * await batch.commit();
 * // … at the end of the stream:
 * const rest = await join.flush();
 * await rest.commit();
 * ```
 */
export class IntervalJoin {
  /** Counters of committed batches since creation. */
  readonly stats: JoinStats = emptyStats();
  readonly windowMs: number;
  readonly time: JoinTime;
  readonly allowedLatenessMs: number;
  private readonly store: JoinStateStore;
  private readonly products: ProductLookup | undefined;
  private readonly clock: () => number;
  private readonly parents: IntervalJoinOptions['parents'];
  private queue: Promise<unknown> = Promise.resolve();
  /** The latest batch handed out; an older one can no longer commit. */
  private latest: object | undefined;
  private latestOpen = false;

  constructor(options: IntervalJoinOptions = {}) {
    const settings = { ...DEFAULT_INTERVAL_JOIN_OPTIONS, ...options };
    if (!(settings.windowMs >= 0) || !Number.isFinite(settings.windowMs)) {
      throw invalidOption('windowMs', settings.windowMs, 'a finite number of ms ≥ 0');
    }
    if (settings.time !== 'arrival' && settings.time !== 'event') {
      throw invalidOption('time', settings.time, '"arrival" or "event"');
    }
    const lateness = settings.allowedLatenessMs ?? (settings.time === 'event' ? 10_000 : 0);
    if (!(lateness >= 0) || !Number.isFinite(lateness)) {
      throw invalidOption('allowedLatenessMs', lateness, 'a finite number of ms ≥ 0');
    }
    this.windowMs = settings.windowMs;
    this.time = settings.time;
    this.allowedLatenessMs = lateness;
    this.store = settings.store ?? new InMemoryJoinStore();
    this.products = settings.products;
    this.clock = settings.clock ?? Date.now;
    this.parents = settings.parents;
  }

  /**
   * Joins one batch of records (in arrival order) against the committed state, then
   * expires what the new watermark allows. Calls are serialised: a second call waits for
   * the first, and undoes it if it was not committed.
   */
  process(batch: readonly TimedRecord[], options: ProcessOptions = {}): Promise<JoinBatch> {
    return this.serialise(() => this.run('process', batch, undefined, options.checkpoint, false));
  }

  /**
   * Advances the join time to `at` (in the join's time domain) and expires state: the
   * watermark becomes `at - allowedLatenessMs`.
   */
  expire(at: number): Promise<JoinBatch> {
    return this.serialise(() => this.run('expire', [], at, undefined, false));
  }

  /**
   * Expiry for a shard without traffic: moves the join time on by the wall clock. With
   * arrival time, the join time becomes `now`; with event time, it moves on from the
   * largest time committed at the wall clock's pace since the latest record (or sweep)
   * arrived. Only sound while no record with an older arrival time is still unread (the
   * shard is caught up): the callers — the event source mapping's idle timer, the AWS
   * sweeper — check that first. A scope with nothing to expire writes nothing.
   */
  sweep(now: number = this.clock(), options: SweepOptions = {}): Promise<JoinBatch> {
    return this.serialise(() =>
      this.run('sweep', [], now, undefined, options.ifUnchanged === true),
    );
  }

  /** Expires everything (end of stream): every unmatched record becomes a dead letter. */
  flush(): Promise<JoinBatch> {
    return this.serialise(() => this.run('expire', [], Number.POSITIVE_INFINITY, undefined, false));
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(
    kind: RunKind,
    records: readonly TimedRecord[],
    at: number | undefined,
    checkpoint: string | undefined,
    ifUnchanged: boolean,
  ): Promise<JoinBatch> {
    // A batch handed out and not committed is undone before anything else happens.
    if (this.latestOpen) {
      this.latestOpen = false;
      this.stats.discardedBatches += 1;
    }
    this.latest = undefined;
    if (this.products?.refreshIfDue !== undefined) await this.products.refreshIfDue(this.clock());
    const run: Run = {
      kind,
      records,
      at,
      checkpoint,
      ifUnchanged,
      stats: emptyStats(),
      rows: [],
      rowInputs: [],
      input: -1,
      deadLetters: [],
      maxTime: Number.NEGATIVE_INFINITY,
      maxArrival: Number.NEGATIVE_INFINITY,
      txn: undefined,
      memory: this.store instanceof InMemoryJoinStore ? this.store : undefined,
    };
    return run.memory !== undefined ? this.runInPlace(run, run.memory) : this.runRemote(run);
  }

  /**
   * The in-memory path (the hot path of long-lived processes): the batch is applied to the
   * store's table in place under an undo log, and expiry's removals wait for the commit.
   */
  private async runInPlace(run: Run, memory: InMemoryJoinStore): Promise<JoinBatch> {
    const txn = memory.begin();
    run.txn = txn;
    const table = memory.table;
    const meta = memory.committedMeta;
    run.maxTime = meta.maxTime ?? Number.NEGATIVE_INFINITY;
    run.maxArrival = meta.maxArrival ?? Number.NEGATIVE_INFINITY;
    const adopting = this.parents !== undefined && meta.adopted !== true;
    let adopted: Adopted[] = [];
    let watermark: number;
    try {
      if (adopting) adopted = await this.adoptInPlace(run, memory, txn);
      this.applyRecords(table, run);
      watermark = this.advance(run);
      if (watermark > Number.NEGATIVE_INFINITY) {
        // Expiry: the keys of the buckets the watermark has passed. Their dead letters are
        // found now; the keys are trimmed (or removed) only by the commit.
        table.takeExpiring(watermark, txn.taken);
        for (const slot of txn.taken) this.expiryLetters(table, slot, watermark, run);
      }
    } catch (error) {
      memory.discardPending();
      throw error;
    }
    // A sweep that found nothing to do changes nothing (not even the clock).
    const emptySweep = run.kind === 'sweep' && run.deadLetters.length === 0 && !adopting;
    const newMeta: JoinScopeMeta = emptySweep
      ? { maxTime: undefined }
      : {
          maxTime: finite(run.maxTime),
          maxArrival: finite(run.maxArrival),
          checkpoint: run.checkpoint,
        };
    const finish = (): void => {
      for (const slot of txn.taken) {
        if (this.trim(table, slot, watermark)) table.remove(slot);
        else table.reindex(slot);
      }
    };
    return this.handOut(
      run,
      async () => {
        memory.commitPending(txn, newMeta, finish);
        if (adopting) {
          for (const { parent, ids } of adopted) {
            await parent.store.commit({ put: [], delete: ids, maxTime: undefined });
          }
          memory.commitSync({ put: [], delete: [], maxTime: undefined, adopted: true });
        }
      },
      () => {
        if (memory.isPending(txn)) memory.discardPending();
      },
    );
  }

  /**
   * Any other store: one batched read into a table for this batch; the commit writes the
   * batch's keys, then the meta.
   */
  private async runRemote(run: Run): Promise<JoinBatch> {
    const store = this.store;
    const ids: number[] = [];
    for (const timed of run.records) ids.push(timed.record.orderId);
    const snapshot = await store.get(ids);
    run.maxTime = snapshot.maxTime ?? Number.NEGATIVE_INFINITY;
    run.maxArrival = snapshot.maxArrival ?? Number.NEGATIVE_INFINITY;
    const adopting = this.parents !== undefined && snapshot.adopted !== true && !run.ifUnchanged;
    let fromParents: JoinKeyState[] = [];
    let adopted: Adopted[] = [];
    if (adopting) {
      const inheritance = await inherit(await this.parents!());
      fromParents = inheritance.states;
      adopted = inheritance.adopted;
      run.maxTime = Math.max(run.maxTime, inheritance.maxTime);
      run.maxArrival = Math.max(run.maxArrival, inheritance.maxArrival);
      // A key already in this scope (a take-over cut short) keeps this scope's copy.
      const missing = fromParents
        .map((state) => state.orderId)
        .filter((id) => !snapshot.states.has(id));
      if (missing.length > 0) {
        for (const [id, state] of (await store.get(missing)).states) snapshot.states.set(id, state);
      }
    }
    const table = new JoinTable(BATCH_BUCKET_MS, snapshot.states.size + run.records.length);
    const versions = new Map<number, number | undefined>();
    for (const state of snapshot.states.values()) {
      table.importState(state);
      versions.set(state.orderId, state.version);
    }
    for (const state of fromParents) {
      if (table.slotOf(state.orderId) !== NONE) continue;
      table.importState(state);
      run.stats.adoptedKeys += 1;
    }
    this.applyRecords(table, run);
    const watermark = this.advance(run);
    // Expiry: what the store says may expire, plus what this batch touched.
    const toDelete: number[] = [];
    if (watermark > Number.NEGATIVE_INFINITY) {
      for (const stale of await store.expiring(watermark)) {
        if (table.slotOf(stale.orderId) !== NONE) continue;
        table.importState(stale);
        versions.set(stale.orderId, stale.version);
      }
      for (const slot of table.allSlots()) {
        if (table.expiresAt[slot]! >= watermark) continue;
        this.expiryLetters(table, slot, watermark, run);
        if (this.trim(table, slot, watermark)) {
          toDelete.push(table.orderId[slot]!);
          table.remove(slot);
        }
      }
    }
    const put: JoinKeyState[] = [];
    for (const slot of table.allSlots()) put.push(table.exportState(slot));
    const noChange =
      run.kind === 'sweep' && !adopting && run.deadLetters.length === 0 && toDelete.length === 0;
    const meta: JoinScopeMeta = {
      maxTime: finite(run.maxTime),
      maxArrival: finite(run.maxArrival),
      checkpoint: run.checkpoint ?? snapshot.checkpoint,
      adopted: snapshot.adopted === true || adopting ? true : undefined,
    };
    return this.handOut(
      run,
      async () => {
        if (noChange) return;
        if (run.ifUnchanged) {
          const result = await store.commit({
            put,
            delete: toDelete,
            maxTime: undefined,
            ifUnchanged: true,
            versions,
          });
          run.stats.conflicts += result?.conflicts.length ?? 0;
          return;
        }
        if (!adopting) {
          await store.commit({ put, delete: toDelete, ...meta });
          return;
        }
        // Keys first, then the parents' copies go, then the meta says it is done: a
        // take-over cut short anywhere is finished by the retry.
        await store.commit({ put, delete: toDelete, maxTime: undefined });
        for (const { parent, ids: owned } of adopted) {
          if (owned.length > 0) {
            await parent.store.commit({ put: [], delete: owned, maxTime: undefined });
          }
        }
        await store.commit({ put: [], delete: [], ...meta });
      },
      () => undefined,
    );
  }

  /** Wraps a run's outputs in a {@link JoinBatch} whose commit and discard are serialised. */
  private handOut(run: Run, commit: () => Promise<void>, discard: () => void): JoinBatch {
    const token = {};
    this.latest = token;
    this.latestOpen = true;
    let done = false;
    return {
      rows: run.rows,
      rowInputs: run.rowInputs,
      deadLetters: run.deadLetters,
      stats: run.stats,
      commit: () =>
        this.serialise(async () => {
          if (done) return;
          if (this.latest !== token) {
            throw new EnrichError(
              'KSE_JOIN_BATCH_SUPERSEDED',
              'the join batch was undone by a later call before it was committed; its input must be processed again',
            );
          }
          await commit();
          done = true;
          this.latestOpen = false;
          addStats(this.stats, run.stats);
        }),
      discard: () =>
        this.serialise(async () => {
          if (done || this.latest !== token) return;
          done = true;
          this.latestOpen = false;
          this.latest = undefined;
          this.stats.discardedBatches += 1;
          discard();
        }),
    };
  }

  /**
   * Takes over the parents' state for an in-memory scope: their keys (those this scope
   * owns and does not hold) become keys created by this batch, so an undo drops them.
   */
  private async adoptInPlace(
    run: Run,
    memory: InMemoryJoinStore,
    txn: InPlaceBatch,
  ): Promise<Adopted[]> {
    const table = memory.table;
    const inheritance = await inherit(await this.parents!());
    for (const state of inheritance.states) {
      if (table.slotOf(state.orderId) !== NONE) continue;
      memory.checkRoom();
      txn.created.push(table.importState(state));
      run.stats.adoptedKeys += 1;
    }
    run.maxTime = Math.max(run.maxTime, inheritance.maxTime);
    run.maxArrival = Math.max(run.maxArrival, inheritance.maxArrival);
    return inheritance.adopted;
  }

  /** Applies a batch's records to the table, emitting the pairs they complete. */
  private applyRecords(table: JoinTable, run: Run): void {
    const window = this.windowMs;
    const lateness = this.allowedLatenessMs;
    const arrival = this.time === 'arrival';
    const { txn, memory } = run;
    const records = run.records;
    for (let input = 0; input < records.length; input += 1) {
      const timed = records[input]!;
      run.input = input;
      const record = timed.record;
      const time = arrival ? timed.arrivalTime : Date.parse(record.orderDateTime);
      if (!Number.isFinite(time)) {
        run.deadLetters.push({
          code: 'KSE_SCHEMA_INVALID',
          reason: `${this.time} time is not a finite number`,
          ...originOf(timed),
          data: record,
        });
        continue;
      }
      if (time + window < run.maxTime - lateness) run.stats.lateRecords += 1;
      if (time > run.maxTime) run.maxTime = time;
      if (timed.arrivalTime > run.maxArrival) run.maxArrival = timed.arrivalTime;
      let slot = table.slotOf(record.orderId);
      if (slot === NONE) {
        memory?.checkRoom();
        slot = table.create(record.orderId, time + window);
        txn?.created.push(slot);
      } else if (txn !== undefined) {
        memory!.touch(txn, slot);
      }
      if (record.recordType === 'Order') this.applyOrder(table, slot, record, timed, time, run);
      else this.applyItem(table, slot, record, timed, time, run);
    }
  }

  /**
   * Moves the run's clock on (an `expire` or `sweep` target) and returns the watermark
   * (−∞ when nothing may expire).
   */
  private advance(run: Run): number {
    let target: number | undefined;
    if (run.kind === 'expire') target = run.at;
    else if (run.kind === 'sweep') {
      const now = run.at!;
      if (this.time === 'arrival') target = now;
      else if (Number.isFinite(run.maxTime) && Number.isFinite(run.maxArrival)) {
        target = run.maxTime + Math.max(0, now - run.maxArrival);
      }
      if (target !== undefined && now > run.maxArrival) run.maxArrival = now;
    }
    let watermark = run.maxTime - this.allowedLatenessMs;
    if (target !== undefined && target - this.allowedLatenessMs > watermark) {
      watermark = target - this.allowedLatenessMs;
    }
    if (target !== undefined && Number.isFinite(target) && target > run.maxTime) {
      run.maxTime = target;
    }
    return watermark;
  }

  /** Adds an order to its key's state and emits the pairs it completes. */
  private applyOrder(
    table: JoinTable,
    slot: number,
    order: Order,
    timed: TimedRecord,
    time: number,
    run: Run,
  ): void {
    const window = this.windowMs;
    const stats = run.stats;
    stats.orders += 1;
    const flag = table.orderFlag[slot];
    let updated = false;
    if (flag === ORDER_ABSENT) {
      table.setOrder(slot, order, time, timed.arrivalTime, timed.position, timed.source, false);
      if (time + window < table.expiresAt[slot]!) table.setExpiresAt(slot, time + window);
    } else if (table.sameOrder(slot, order)) {
      stats.duplicateOrders += 1;
    } else {
      // An update: its attributes win; the first copy's times stay (the pairs and their
      // event_ts do not move).
      stats.updatedOrders += 1;
      updated = true;
      table.setOrder(
        slot,
        order,
        table.orderTime[slot]!,
        table.orderArrival[slot]!,
        timed.position,
        timed.source,
        flag === ORDER_MATCHED,
        table.orderPairs[slot]!,
      );
    }
    const pairs = table.orderPairs[slot]!;
    let reached = 0;
    const orderTime = table.orderTime[slot]!;
    const date = table.orderDateTime[slot];
    for (let item = table.firstItem[slot]!; item !== NONE; item = table.itemNext[item]!) {
      // Items that came first hold their own copy of the date: share the order's.
      if (table.itemDateTime[item] === date) table.itemDateTime[item] = date;
      if (Math.abs(table.itemTime[item]! - orderTime) <= window) {
        if (table.itemMatched[item] === 1) reached += 1;
        this.emit(run, this.row(table, slot, item, stats));
      }
    }
    if (updated && reached < pairs) {
      run.deadLetters.push({
        code: 'KSE_JOIN_LATE_UPDATE',
        reason: `update of order ${order.orderId} reached ${reached} of its ${pairs} rows; the others' items left the window`,
        ...originOf(timed),
        data: order,
      });
    }
  }

  /** Adds an item to its key's state and emits the pair it completes. */
  private applyItem(
    table: JoinTable,
    slot: number,
    item: OrderItem,
    timed: TimedRecord,
    time: number,
    run: Run,
  ): void {
    const window = this.windowMs;
    const stats = run.stats;
    stats.items += 1;
    let held = NONE;
    let last = NONE;
    let updated = false;
    for (let index = table.firstItem[slot]!; index !== NONE; index = table.itemNext[index]!) {
      if (table.itemId[index] === item.itemId) {
        held = index;
        break;
      }
      last = index;
    }
    if (held === NONE) {
      held = table.addItem(
        slot,
        last,
        item,
        time,
        timed.arrivalTime,
        timed.position,
        timed.source,
        false,
      );
      if (time + window < table.expiresAt[slot]!) table.setExpiresAt(slot, time + window);
    } else if (table.sameItem(slot, held, item)) {
      stats.duplicateItems += 1;
    } else {
      stats.updatedItems += 1;
      table.updateItem(slot, held, item, timed.position, timed.source);
      updated = true;
    }
    if (
      table.orderFlag[slot] !== ORDER_ABSENT &&
      Math.abs(table.itemTime[held]! - table.orderTime[slot]!) <= window
    ) {
      this.emit(run, this.row(table, slot, held, stats));
    } else if (updated && table.itemMatched[held] === 1) {
      run.deadLetters.push({
        code: 'KSE_JOIN_LATE_UPDATE',
        reason: `update of item ${item.orderId}/${item.itemId} came after its order left the window; its row keeps the earlier attributes`,
        ...originOf(timed),
        data: item,
      });
    }
  }

  /** Adds a row to the run's outputs, with the input record that completed its pair. */
  private emit(run: Run, row: EnrichedOrderItem): void {
    run.rows.push(row);
    run.rowInputs.push(run.input);
  }

  /**
   * One enriched row from the state, with the fields, order and values of
   * `buildEnrichedRow` (checked byte for byte by the property tests), built in one
   * object literal for speed; tests/enrichedRow.test.ts pins its keys to `ENRICHED_FIELDS`.
   */
  private row(table: JoinTable, slot: number, item: number, stats: JoinStats): EnrichedOrderItem {
    const itemId = table.itemId[item]!;
    const product = this.products?.get(itemId);
    if (product === undefined) stats.unknownProducts += 1;
    table.orderFlag[slot] = ORDER_MATCHED;
    if (table.itemMatched[item] === 0) {
      table.itemMatched[item] = 1;
      table.orderPairs[slot] = table.orderPairs[slot]! + 1;
    }
    stats.rows += 1;
    const orderArrival = table.orderArrival[slot]!;
    const itemArrival = table.itemArrival[item]!;
    return {
      event_ts: orderArrival > itemArrival ? orderArrival : itemArrival,
      orderId: table.orderId[slot]!,
      orderAmount: table.orderAmount[slot]!,
      orderStatus: table.orderStatus[slot]!,
      orderDateTime: table.orderDateTime[slot]!,
      shipToName: table.shipToName[slot]!,
      shipToAddress: table.shipToAddress[slot]!,
      shipToCity: table.shipToCity[slot]!,
      shipToState: table.shipToState[slot]!,
      shipToZip: table.shipToZip[slot]!,
      itemId,
      itemAmount: table.itemAmount[item]!,
      itemQuantity: table.itemQuantity[item]!,
      itemStatus: table.itemStatus[item]!,
      productName: product?.productName ?? null,
      order_arrival_ts: orderArrival,
      item_arrival_ts: itemArrival,
    };
  }

  /**
   * The dead letters and counters of the entries of a key that no partner can reach any
   * more (read only: {@link trim} removes them, at commit for the in-memory store).
   */
  private expiryLetters(table: JoinTable, slot: number, watermark: number, run: Run): void {
    const window = this.windowMs;
    const stats = run.stats;
    const flag = table.orderFlag[slot];
    if (flag !== ORDER_ABSENT) {
      const orderTime = table.orderTime[slot]!;
      if (orderTime + window < watermark) {
        stats.expiredOrders += 1;
        if (flag !== ORDER_MATCHED) {
          stats.unmatchedOrders += 1;
          run.deadLetters.push({
            code: 'KSE_JOIN_UNMATCHED_ORDER',
            reason: `no item of order ${table.orderId[slot]} within ${window} ms of ${this.time} time ${orderTime}`,
            ...originOf({ position: table.orderPosition[slot], source: table.orderSource[slot] }),
            data: table.orderRecord(slot),
          });
        }
      }
    }
    for (let item = table.firstItem[slot]!; item !== NONE; item = table.itemNext[item]!) {
      const itemTime = table.itemTime[item]!;
      if (itemTime + window < watermark && table.itemMatched[item] === 0) {
        stats.unmatchedItems += 1;
        run.deadLetters.push({
          code: 'KSE_JOIN_UNMATCHED',
          reason: `no order ${table.orderId[slot]} within ${window} ms of ${this.time} time ${itemTime}`,
          ...originOf({ position: table.itemPosition[item], source: table.itemSource[item] }),
          data: table.itemRecord(slot, item),
        });
      }
    }
  }

  /**
   * Drops the entries of a key that no partner can reach any more and sets its new
   * expiry. Returns true when the key holds nothing more (the caller removes it).
   */
  private trim(table: JoinTable, slot: number, watermark: number): boolean {
    const window = this.windowMs;
    let expiresAt = Number.POSITIVE_INFINITY;
    if (table.orderFlag[slot] !== ORDER_ABSENT) {
      const orderTime = table.orderTime[slot]!;
      if (orderTime + window < watermark) table.clearOrder(slot);
      else expiresAt = orderTime + window;
    }
    let last = NONE;
    let item = table.firstItem[slot]!;
    while (item !== NONE) {
      const next = table.itemNext[item]!;
      const itemTime = table.itemTime[item]!;
      if (itemTime + window < watermark) {
        if (last === NONE) table.firstItem[slot] = next;
        else table.itemNext[last] = next;
        table.freeItem(item);
      } else {
        last = item;
        if (itemTime + window < expiresAt) expiresAt = itemTime + window;
      }
      item = next;
    }
    table.expiresAt[slot] = expiresAt;
    return table.orderFlag[slot] === ORDER_ABSENT && table.firstItem[slot] === NONE;
  }
}

// The per-batch table of a remote store holds one batch's keys; its expiry index is unused.
const BATCH_BUCKET_MS = 1_000;

function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

function originOf(value: { position?: string | number; source?: string }): {
  source?: string;
  position?: string | number;
} {
  const origin: { source?: string; position?: string | number } = {};
  if (value.source !== undefined) origin.source = value.source;
  if (value.position !== undefined) origin.position = value.position;
  return origin;
}
