import type { EnrichedOrderItem, Order, OrderItem } from '@kse/schemas';
import { buildEnrichedRow } from './enrichedRow.js';
import { invalidOption, type DeadLetter } from './errors.js';
import type { JoinKeyState, JoinStateStore, StoredEntry } from './joinState.js';
import type { ProductLookup } from './referenceTable.js';
import type { TimedRecord } from './types.js';
import { InMemoryJoinStore } from './InMemoryJoinStore.js';

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
  /** Clock for the reference table's refresh, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
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

/**
 * Counters of an {@link IntervalJoin} since it was created.
 *
 * @example
 * ```ts
 * const { rows, unmatchedItems, expiredOrders } = join.stats;
 * ```
 */
export interface JoinStats {
  orders: number;
  items: number;
  /** Orders seen again while their first copy was in state (redelivery). */
  duplicateOrders: number;
  /** Items seen again while their first copy was in state (redelivery). */
  duplicateItems: number;
  /** Rows emitted (a redelivered pair is emitted again, identical). */
  rows: number;
  /** Items dead-lettered with `KSE_JOIN_UNMATCHED`. */
  unmatchedItems: number;
  /** Orders removed from state by expiry. */
  expiredOrders: number;
  /** Of those, orders that never matched an item. */
  unmatchedOrders: number;
  /** Rows whose product was not in the reference table (`productName: null`). */
  unknownProducts: number;
  /** Records whose time was already behind the watermark when they came. */
  lateRecords: number;
}

/**
 * Result of {@link IntervalJoin.process} and {@link IntervalJoin.expire}.
 *
 * @example
 * ```ts
 * const { rows, deadLetters }: JoinResult = await join.process(records);
 * ```
 */
export interface JoinResult {
  rows: EnrichedOrderItem[];
  deadLetters: DeadLetter[];
}

/**
 * The symmetric interval join of orders and items on `orderId`, with the products LEFT
 * JOIN — the replacement of the sample's Kinesis Data Analytics SQL. Pure and
 * transport-agnostic: feed it batches of typed records in arrival order, get rows and
 * dead letters back.
 *
 * Semantics: an order and an item of the same `orderId` match when their times differ by
 * at most `windowMs` (either may come first); each match emits one row when the second
 * of the pair is processed. The watermark is the largest time seen minus
 * `allowedLatenessMs`; an entry is dropped once `time + windowMs < watermark`, when no
 * partner can still match it. An item dropped without a match becomes a
 * `KSE_JOIN_UNMATCHED` dead letter; a dropped order is counted.
 *
 * Redelivery (at-least-once) is safe: state keeps the first copy of each record, and a
 * copy seen again emits its pairs again, **byte-identical**: `event_ts` is the later
 * arrival time of the pair (taken from the stored copies), never the wall clock, so a
 * retried batch reproduces exactly the rows it produced before (given the same
 * reference data).
 *
 * @example
 * ```ts
 * const join = new IntervalJoin({ store: new InMemoryJoinStore(), products: await loadReferenceTable({ file: 'products.json' }) });
 * const { rows, deadLetters } = await join.process(preprocess(inputs).records);
 * // … at the end of the stream:
 * const rest = await join.flush();
 * ```
 */
export class IntervalJoin {
  /** Counters since creation. */
  readonly stats: JoinStats = {
    orders: 0,
    items: 0,
    duplicateOrders: 0,
    duplicateItems: 0,
    rows: 0,
    unmatchedItems: 0,
    expiredOrders: 0,
    unmatchedOrders: 0,
    unknownProducts: 0,
    lateRecords: 0,
  };
  readonly windowMs: number;
  readonly time: JoinTime;
  readonly allowedLatenessMs: number;
  private readonly store: JoinStateStore;
  private readonly products: ProductLookup | undefined;
  private readonly clock: () => number;
  private queue: Promise<unknown> = Promise.resolve();

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
  }

  /**
   * Joins one batch of records (in arrival order) against the state, then expires what
   * the new watermark allows. Calls are serialised: a second call waits for the first.
   */
  process(batch: readonly TimedRecord[]): Promise<JoinResult> {
    return this.serialise(() => this.run(batch, undefined));
  }

  /**
   * Advances the watermark to `now - allowedLatenessMs` (in the join's time domain, e.g.
   * the wall clock for arrival time when a stream is idle) and expires state.
   */
  expire(now: number): Promise<JoinResult> {
    return this.serialise(() => this.run([], now));
  }

  /** Expires everything (end of stream): every unmatched item becomes a dead letter. */
  flush(): Promise<JoinResult> {
    return this.serialise(() => this.run([], Number.POSITIVE_INFINITY));
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(
    batch: readonly TimedRecord[],
    advanceTo: number | undefined,
  ): Promise<JoinResult> {
    if (this.products?.refreshIfDue !== undefined) await this.products.refreshIfDue(this.clock());
    const rows: EnrichedOrderItem[] = [];
    const deadLetters: DeadLetter[] = [];
    // In-memory state is used in place (no snapshot, no copies): the hot path of
    // long-lived processes. Any other store gets one batched read and one batched write.
    const memory = this.store instanceof InMemoryJoinStore ? this.store : undefined;
    let states: Map<number, JoinKeyState> | undefined;
    let maxTime: number;
    if (memory !== undefined) {
      maxTime = memory.committedMaxTime ?? Number.NEGATIVE_INFINITY;
    } else {
      const ids: number[] = [];
      for (const timed of batch) ids.push(timed.record.orderId);
      const snapshot = await this.store.get(ids);
      states = snapshot.states;
      maxTime = snapshot.maxTime ?? Number.NEGATIVE_INFINITY;
    }
    const dirty = new Map<number, JoinKeyState>();
    const window = this.windowMs;
    const lateness = this.allowedLatenessMs;

    for (const timed of batch) {
      const record = timed.record;
      const time = this.time === 'arrival' ? timed.arrivalTime : Date.parse(record.orderDateTime);
      if (!Number.isFinite(time)) {
        deadLetters.push({
          code: 'KSE_SCHEMA_INVALID',
          reason: `${this.time} time is not a finite number`,
          ...originOf(timed),
          data: record,
        });
        continue;
      }
      if (time + window < maxTime - lateness) this.stats.lateRecords += 1;
      if (time > maxTime) maxTime = time;
      const id = record.orderId;
      let state = memory !== undefined ? memory.peek(id) : states!.get(id);
      const created = state === undefined;
      if (state === undefined) {
        state = { orderId: id, order: undefined, items: [], expiresAt: time + window };
        if (states !== undefined) states.set(id, state);
      }
      const before = state.expiresAt;
      this.apply(state, timed, time, rows);
      if (memory === undefined) dirty.set(id, state);
      else if (created || state.expiresAt !== before) memory.putOne(state);
    }

    // Expiry: what the store says may expire, plus (for other stores) what this batch touched.
    let watermark = maxTime - lateness;
    if (advanceTo !== undefined && advanceTo - lateness > watermark) {
      watermark = advanceTo - lateness;
    }
    if (advanceTo !== undefined && Number.isFinite(advanceTo) && advanceTo > maxTime) {
      maxTime = advanceTo;
    }
    const persistedMax = Number.isFinite(maxTime) ? maxTime : undefined;
    if (memory !== undefined) {
      if (watermark > Number.NEGATIVE_INFINITY) {
        for (const state of memory.expiringSync(watermark)) {
          this.trim(state, watermark, deadLetters);
          if (state.order === undefined && state.items.length === 0)
            memory.deleteOne(state.orderId);
          else memory.putOne(state);
        }
      }
      memory.commitSync({ put: [], delete: [], maxTime: persistedMax });
      return { rows, deadLetters };
    }
    const toDelete: number[] = [];
    if (watermark > Number.NEGATIVE_INFINITY) {
      for (const stale of await this.store.expiring(watermark)) {
        if (!dirty.has(stale.orderId)) dirty.set(stale.orderId, stale);
      }
      for (const state of dirty.values()) {
        if (state.expiresAt >= watermark) continue;
        this.trim(state, watermark, deadLetters);
        if (state.order === undefined && state.items.length === 0) toDelete.push(state.orderId);
      }
    }
    const put: JoinKeyState[] = [];
    for (const state of dirty.values()) {
      if (state.order !== undefined || state.items.length > 0) put.push(state);
    }
    await this.store.commit({ put, delete: toDelete, maxTime: persistedMax });
    return { rows, deadLetters };
  }

  /** Adds one record to its key's state and emits the pairs it completes. */
  private apply(
    state: JoinKeyState,
    timed: TimedRecord,
    time: number,
    rows: EnrichedOrderItem[],
  ): void {
    const window = this.windowMs;
    const record = timed.record;
    if (record.recordType === 'Order') {
      this.stats.orders += 1;
      let order = state.order;
      if (order === undefined) {
        order = entry(record, time, timed);
        state.order = order;
        if (time + window < state.expiresAt) state.expiresAt = time + window;
      } else {
        this.stats.duplicateOrders += 1;
      }
      for (const item of state.items) {
        if (Math.abs(item.time - order.time) <= window) rows.push(this.row(order, item));
      }
      return;
    }
    this.stats.items += 1;
    let item: StoredEntry<OrderItem> | undefined;
    for (const held of state.items) {
      if (held.record.itemId === record.itemId) {
        item = held;
        break;
      }
    }
    if (item === undefined) {
      item = entry(record, time, timed);
      state.items.push(item);
      if (time + window < state.expiresAt) state.expiresAt = time + window;
    } else {
      this.stats.duplicateItems += 1;
    }
    const order = state.order;
    if (order !== undefined && Math.abs(item.time - order.time) <= window) {
      rows.push(this.row(order, item));
    }
  }

  private row(order: StoredEntry<Order>, item: StoredEntry<OrderItem>): EnrichedOrderItem {
    const product = this.products?.get(item.record.itemId);
    if (product === undefined) this.stats.unknownProducts += 1;
    order.matched = true;
    item.matched = true;
    this.stats.rows += 1;
    return buildEnrichedRow(order.record, item.record, product, {
      eventTs: order.arrivalTime > item.arrivalTime ? order.arrivalTime : item.arrivalTime,
      orderArrivalTs: order.arrivalTime,
      itemArrivalTs: item.arrivalTime,
    });
  }

  /** Drops the entries of `state` that no partner can reach any more. */
  private trim(state: JoinKeyState, watermark: number, deadLetters: DeadLetter[]): void {
    const window = this.windowMs;
    let expiresAt = Number.POSITIVE_INFINITY;
    const order = state.order;
    if (order !== undefined) {
      if (order.time + window < watermark) {
        state.order = undefined;
        this.stats.expiredOrders += 1;
        if (!order.matched) this.stats.unmatchedOrders += 1;
      } else {
        expiresAt = order.time + window;
      }
    }
    let kept = 0;
    const items = state.items;
    for (let index = 0; index < items.length; index += 1) {
      const item = items[index]!;
      if (item.time + window < watermark) {
        if (!item.matched) {
          this.stats.unmatchedItems += 1;
          deadLetters.push({
            code: 'KSE_JOIN_UNMATCHED',
            reason: `no order ${item.record.orderId} within ${window} ms of ${this.time} time ${item.time}`,
            ...originOf(item),
            data: item.record,
          });
        }
      } else {
        items[kept] = item;
        kept += 1;
        if (item.time + window < expiresAt) expiresAt = item.time + window;
      }
    }
    items.length = kept;
    state.expiresAt = expiresAt;
  }
}

function entry<R>(record: R, time: number, timed: TimedRecord): StoredEntry<R> {
  // One object shape for every entry; absent origin fields stay undefined (and are
  // dropped by JSON in the DynamoDB store).
  return {
    record,
    time,
    arrivalTime: timed.arrivalTime,
    matched: false,
    position: timed.position,
    source: timed.source,
  };
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
