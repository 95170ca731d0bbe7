import type { EnrichedOrderItem, Order, OrderItem } from '@kse/schemas';
import { invalidOption, type DeadLetter } from './errors.js';
import type { JoinKeyState, JoinStateStore } from './joinState.js';
import { JoinTable, NONE, ORDER_ABSENT, ORDER_MATCHED } from './joinTable.js';
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
  /** Reused list of expiring slots (calls are serialised). */
  private readonly expiring: number[] = [];

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
    // In-memory state is used in place: the hot path of long-lived processes. Any other
    // store gets one batched read into a table for this batch and one batched write.
    const memory = this.store instanceof InMemoryJoinStore ? this.store : undefined;
    let table: JoinTable;
    let maxTime: number;
    if (memory !== undefined) {
      table = memory.table;
      maxTime = memory.committedMaxTime ?? Number.NEGATIVE_INFINITY;
    } else {
      const ids: number[] = [];
      for (const timed of batch) ids.push(timed.record.orderId);
      const snapshot = await this.store.get(ids);
      table = new JoinTable(BATCH_BUCKET_MS, snapshot.states.size + batch.length);
      for (const state of snapshot.states.values()) table.importState(state);
      maxTime = snapshot.maxTime ?? Number.NEGATIVE_INFINITY;
    }
    const window = this.windowMs;
    const lateness = this.allowedLatenessMs;
    const arrival = this.time === 'arrival';

    for (const timed of batch) {
      const record = timed.record;
      const time = arrival ? timed.arrivalTime : Date.parse(record.orderDateTime);
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
      let slot = table.slotOf(record.orderId);
      if (slot === NONE) {
        memory?.checkRoom();
        slot = table.create(record.orderId, time + window);
      }
      if (record.recordType === 'Order') this.applyOrder(table, slot, record, timed, time, rows);
      else this.applyItem(table, slot, record, timed, time, rows);
    }

    let watermark = maxTime - lateness;
    if (advanceTo !== undefined && advanceTo - lateness > watermark) {
      watermark = advanceTo - lateness;
    }
    if (advanceTo !== undefined && Number.isFinite(advanceTo) && advanceTo > maxTime) {
      maxTime = advanceTo;
    }
    const persistedMax = Number.isFinite(maxTime) ? maxTime : undefined;
    if (memory !== undefined) {
      // Expiry: the keys of the buckets the watermark has passed.
      if (watermark > Number.NEGATIVE_INFINITY) {
        const expiring = this.expiring;
        expiring.length = 0;
        table.takeExpiring(watermark, expiring);
        for (const slot of expiring) {
          if (this.trim(table, slot, watermark, deadLetters)) table.remove(slot);
          else table.reindex(slot);
        }
        expiring.length = 0;
      }
      memory.advanceMaxTime(persistedMax);
      return { rows, deadLetters };
    }
    // Expiry: what the store says may expire, plus what this batch touched.
    const toDelete: number[] = [];
    if (watermark > Number.NEGATIVE_INFINITY) {
      for (const stale of await this.store.expiring(watermark)) {
        if (table.slotOf(stale.orderId) === NONE) table.importState(stale);
      }
      for (const slot of table.allSlots()) {
        if (table.expiresAt[slot]! >= watermark) continue;
        if (this.trim(table, slot, watermark, deadLetters)) {
          toDelete.push(table.orderId[slot]!);
          table.remove(slot);
        }
      }
    }
    const put: JoinKeyState[] = [];
    for (const slot of table.allSlots()) put.push(table.exportState(slot));
    await this.store.commit({ put, delete: toDelete, maxTime: persistedMax });
    return { rows, deadLetters };
  }

  /** Adds an order to its key's state and emits the pairs it completes. */
  private applyOrder(
    table: JoinTable,
    slot: number,
    order: Order,
    timed: TimedRecord,
    time: number,
    rows: EnrichedOrderItem[],
  ): void {
    const window = this.windowMs;
    this.stats.orders += 1;
    if (table.orderFlag[slot] === ORDER_ABSENT) {
      table.setOrder(slot, order, time, timed.arrivalTime, timed.position, timed.source, false);
      if (time + window < table.expiresAt[slot]!) table.setExpiresAt(slot, time + window);
    } else {
      this.stats.duplicateOrders += 1;
    }
    const orderTime = table.orderTime[slot]!;
    const date = table.orderDateTime[slot];
    for (let item = table.firstItem[slot]!; item !== NONE; item = table.itemNext[item]!) {
      // Items that came first hold their own copy of the date: share the order's.
      if (table.itemDateTime[item] === date) table.itemDateTime[item] = date;
      if (Math.abs(table.itemTime[item]! - orderTime) <= window) {
        rows.push(this.row(table, slot, item));
      }
    }
  }

  /** Adds an item to its key's state and emits the pair it completes. */
  private applyItem(
    table: JoinTable,
    slot: number,
    item: OrderItem,
    timed: TimedRecord,
    time: number,
    rows: EnrichedOrderItem[],
  ): void {
    const window = this.windowMs;
    this.stats.items += 1;
    let held = NONE;
    let last = NONE;
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
    } else {
      this.stats.duplicateItems += 1;
    }
    if (
      table.orderFlag[slot] !== ORDER_ABSENT &&
      Math.abs(table.itemTime[held]! - table.orderTime[slot]!) <= window
    ) {
      rows.push(this.row(table, slot, held));
    }
  }

  /**
   * One enriched row from the state, with the fields, order and values of
   * `buildEnrichedRow` (checked byte for byte by the property tests), built in one
   * object literal for speed; tests/enrichedRow.test.ts pins its keys to `ENRICHED_FIELDS`.
   */
  private row(table: JoinTable, slot: number, item: number): EnrichedOrderItem {
    const itemId = table.itemId[item]!;
    const product = this.products?.get(itemId);
    if (product === undefined) this.stats.unknownProducts += 1;
    table.orderFlag[slot] = ORDER_MATCHED;
    table.itemMatched[item] = 1;
    this.stats.rows += 1;
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
   * Drops the entries of a key that no partner can reach any more and sets its new
   * expiry. Returns true when the key holds nothing more (the caller removes it).
   */
  private trim(
    table: JoinTable,
    slot: number,
    watermark: number,
    deadLetters: DeadLetter[],
  ): boolean {
    const window = this.windowMs;
    let expiresAt = Number.POSITIVE_INFINITY;
    const flag = table.orderFlag[slot];
    if (flag !== ORDER_ABSENT) {
      const orderTime = table.orderTime[slot]!;
      if (orderTime + window < watermark) {
        table.clearOrder(slot);
        this.stats.expiredOrders += 1;
        if (flag !== ORDER_MATCHED) this.stats.unmatchedOrders += 1;
      } else {
        expiresAt = orderTime + window;
      }
    }
    let last = NONE;
    let item = table.firstItem[slot]!;
    while (item !== NONE) {
      const next = table.itemNext[item]!;
      const itemTime = table.itemTime[item]!;
      if (itemTime + window < watermark) {
        if (table.itemMatched[item] === 0) {
          this.stats.unmatchedItems += 1;
          const origin = originOf({
            position: table.itemPosition[item],
            source: table.itemSource[item],
          });
          deadLetters.push({
            code: 'KSE_JOIN_UNMATCHED',
            reason: `no order ${table.orderId[slot]} within ${window} ms of ${this.time} time ${itemTime}`,
            ...origin,
            data: table.itemRecord(slot, item),
          });
        }
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

function originOf(value: { position?: string | number; source?: string }): {
  source?: string;
  position?: string | number;
} {
  const origin: { source?: string; position?: string | number } = {};
  if (value.source !== undefined) origin.source = value.source;
  if (value.position !== undefined) origin.position = value.position;
  return origin;
}
