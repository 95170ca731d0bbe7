import type { Order, OrderItem } from '@kse/schemas';
import type { JoinKeyState, StoredEntry } from './joinState.js';
import { MinHeap } from './minHeap.js';

/** No slot (end of an item list, unknown key). */
export const NONE = -1;

/** `orderFlag` values. */
export const ORDER_ABSENT = 0;
export const ORDER_HELD = 1;
export const ORDER_MATCHED = 2;

// Own enumerable keys of a record with exactly the schema's fields (recordType included).
const ORDER_KEYS = 10;
const ITEM_KEYS = 7;

type Origin = string | number | undefined;

/**
 * The join's state in columns (internal): what an {@link IntervalJoin} holds per order id,
 * reduced to what an enriched row or a dead letter needs, in slots of preallocated
 * columns — times and amounts in `Float64Array`s (no boxed heap numbers), ids and
 * quantities in plain arrays (small integers stay unboxed), strings in plain arrays,
 * items of one key in a linked list of item slots. No object per entry, per key or per
 * record survives a batch; slots are reused. A long-lived process therefore promotes
 * little more than the records' own strings to the old generation, which keeps the heap
 * (and the GC work) proportional to the live window, not to the stream's length.
 *
 * Records are not kept: a record with exactly the schema's attributes is rebuilt from the
 * columns when needed (dead letters, {@link exportState}); one that carries more (e.g.
 * `pruneAttributes: false`) is kept as is in `orderExtra` / `itemExtra`.
 *
 * Expiry index: each key sits in one time bucket (`floor(expiresAt / bucketMs)`); bucket
 * numbers are in a min-heap and a bucket is taken whole once the watermark passes its
 * end. A key moved to another bucket leaves a stale slot number behind, skipped when its
 * bucket is taken (`indexedBucket` tells), so each move is O(1) and each key is visited
 * once per bucket it was put in.
 */
export class JoinTable {
  /**
   * orderId → slot: open addressing with linear probing over `slot + 1` (0 = empty),
   * at most half full; deletion shifts entries back, so there are no tombstones. Faster
   * than a Map of tens of thousands of keys and no garbage.
   */
  private hashTable = new Int32Array(0);
  private hashMask = 0;
  private count = 0;
  private readonly bucketMs: number;
  private readonly buckets = new Map<number, number[]>();
  private readonly bucketHeap = new MinHeap();
  private readonly spareBuckets: number[][] = [];
  private readonly freeKeys: number[] = [];
  private readonly freeItems: number[] = [];
  private keyCapacity = 0;
  private keyTop = 0;
  private itemCapacity = 0;
  private itemTop = 0;

  // Key columns.
  /** Ids in a plain array: small integers stay small integers (no boxing in rows). */
  orderId: number[] = [];
  /** `min(entry time) + windowMs` over the key's entries. */
  expiresAt = new Float64Array(0);
  /** The bucket the key is indexed in; NaN when not indexed. */
  private indexedBucket = new Float64Array(0);
  firstItem = new Int32Array(0);
  /** 1 while the slot holds a key. */
  private live = new Uint8Array(0);
  /**
   * The batch that last created or first touched the key ({@link currentEpoch} then): an
   * in-place batch saves a key's state once, before its first change (see
   * `InMemoryJoinStore`), and never for a key it created.
   */
  epoch = new Uint32Array(0);
  /** The epoch of the batch being applied in place; keys created now are stamped with it. */
  currentEpoch = 0;
  orderFlag = new Uint8Array(0);
  orderTime = new Float64Array(0);
  orderArrival = new Float64Array(0);
  orderAmount = new Float64Array(0);
  /** Items the order produced rows with (see `StoredEntry.pairs`). */
  orderPairs = new Int32Array(0);
  orderStatus: (string | undefined)[] = [];
  orderDateTime: (string | undefined)[] = [];
  shipToName: (string | undefined)[] = [];
  shipToAddress: (string | undefined)[] = [];
  shipToCity: (string | undefined)[] = [];
  shipToState: (string | undefined)[] = [];
  shipToZip: (string | undefined)[] = [];
  orderPosition: Origin[] = [];
  orderSource: (string | undefined)[] = [];
  orderExtra: (Order | undefined)[] = [];

  // Item columns.
  itemNext = new Int32Array(0);
  itemMatched = new Uint8Array(0);
  itemTime = new Float64Array(0);
  itemArrival = new Float64Array(0);
  itemId: number[] = [];
  itemQuantity: number[] = [];
  itemAmount = new Float64Array(0);
  itemStatus: (string | undefined)[] = [];
  itemDateTime: (string | undefined)[] = [];
  itemPosition: Origin[] = [];
  itemSource: (string | undefined)[] = [];
  itemExtra: (OrderItem | undefined)[] = [];

  /**
   * @param bucketMs width of an expiry bucket.
   * @param keys initial capacity in keys (columns grow by half: less slack, and the slack
   *   of pointer columns is heap that V8's old-generation limit scales with).
   */
  constructor(bucketMs: number, keys = 1_024) {
    this.bucketMs = bucketMs;
    const capacity = Math.max(16, Math.ceil(keys));
    this.growKeys(capacity);
    this.growItems(capacity * 2);
    // A power of two (masked), at least twice the keys.
    this.rehash(2 ** Math.ceil(Math.log2(capacity * 2)));
  }

  /** Number of keys held. */
  get size(): number {
    return this.count;
  }

  /** The slot of `orderId`, or {@link NONE}. */
  slotOf(orderId: number): number {
    const table = this.hashTable;
    const mask = this.hashMask;
    for (let h = hashOf(orderId) & mask; ; h = (h + 1) & mask) {
      const entry = table[h]!;
      if (entry === 0) return NONE;
      if (this.orderId[entry - 1] === orderId) return entry - 1;
    }
  }

  /** Every held key's slot, in slot order (for the per-batch table of a remote store). */
  allSlots(): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < this.keyTop; slot += 1) if (this.live[slot] === 1) out.push(slot);
    return out;
  }

  /** A new, empty key expiring at `expiresAt`, indexed. */
  create(orderId: number, expiresAt: number): number {
    let slot = this.freeKeys.pop();
    if (slot === undefined) {
      if (this.keyTop === this.keyCapacity) this.growKeys(Math.ceil(this.keyCapacity * 1.5));
      slot = this.keyTop;
      this.keyTop += 1;
    }
    if ((this.count + 1) * 2 > this.hashTable.length) this.rehash(this.hashTable.length * 2);
    const table = this.hashTable;
    const mask = this.hashMask;
    let h = hashOf(orderId) & mask;
    while (table[h] !== 0) h = (h + 1) & mask;
    table[h] = slot + 1;
    this.count += 1;
    this.live[slot] = 1;
    this.epoch[slot] = this.currentEpoch;
    this.orderId[slot] = orderId;
    this.firstItem[slot] = NONE;
    this.orderFlag[slot] = ORDER_ABSENT;
    this.expiresAt[slot] = expiresAt;
    this.indexedBucket[slot] = Number.NaN;
    this.index(slot);
    return slot;
  }

  /** Removes a key and frees its slots (its strings become garbage). */
  remove(slot: number): void {
    this.unhash(slot);
    this.live[slot] = 0;
    this.indexedBucket[slot] = Number.NaN;
    this.clearOrder(slot);
    let item = this.firstItem[slot]!;
    while (item !== NONE) {
      const next = this.itemNext[item]!;
      this.freeItem(item);
      item = next;
    }
    this.firstItem[slot] = NONE;
    this.freeKeys.push(slot);
  }

  /** Sets the key's expiry and moves it to its bucket (no-op when the bucket is the same). */
  setExpiresAt(slot: number, at: number): void {
    this.expiresAt[slot] = at;
    this.index(slot);
  }

  /** Stores the order of a key (its attributes, times and origin). */
  setOrder(
    slot: number,
    order: Order,
    time: number,
    arrival: number,
    position: Origin,
    source: string | undefined,
    matched: boolean,
    pairs = 0,
  ): void {
    this.orderFlag[slot] = matched ? ORDER_MATCHED : ORDER_HELD;
    this.orderPairs[slot] = pairs;
    this.orderTime[slot] = time;
    this.orderArrival[slot] = arrival;
    this.orderAmount[slot] = order.orderAmount;
    this.orderStatus[slot] = order.orderStatus;
    this.orderDateTime[slot] = order.orderDateTime;
    this.shipToName[slot] = order.shipToName;
    this.shipToAddress[slot] = order.shipToAddress;
    this.shipToCity[slot] = order.shipToCity;
    this.shipToState[slot] = order.shipToState;
    this.shipToZip[slot] = order.shipToZip;
    this.orderPosition[slot] = position;
    this.orderSource[slot] = source;
    this.orderExtra[slot] = keyCount(order) === ORDER_KEYS ? undefined : order;
  }

  /**
   * True when the held order has exactly the attributes of `order` (a redelivered or
   * re-sent copy), false when it differs (an update, e.g. from AWS DMS).
   */
  sameOrder(slot: number, order: Order): boolean {
    const extra = this.orderExtra[slot];
    if (extra !== undefined || keyCount(order) !== ORDER_KEYS) {
      return sameRecord(this.orderRecord(slot), order);
    }
    return (
      this.orderAmount[slot] === order.orderAmount &&
      this.orderStatus[slot] === order.orderStatus &&
      this.orderDateTime[slot] === order.orderDateTime &&
      this.shipToName[slot] === order.shipToName &&
      this.shipToAddress[slot] === order.shipToAddress &&
      this.shipToCity[slot] === order.shipToCity &&
      this.shipToState[slot] === order.shipToState &&
      this.shipToZip[slot] === order.shipToZip &&
      order.recordType === 'Order'
    );
  }

  /** Like {@link sameOrder}, for a held item. */
  sameItem(slot: number, index: number, item: OrderItem): boolean {
    const extra = this.itemExtra[index];
    if (extra !== undefined || keyCount(item) !== ITEM_KEYS) {
      return sameRecord(this.itemRecord(slot, index), item);
    }
    return (
      this.itemQuantity[index] === item.itemQuantity &&
      this.itemAmount[index] === item.itemAmount &&
      this.itemStatus[index] === item.itemStatus &&
      this.itemDateTime[index] === item.orderDateTime &&
      item.recordType === 'OrderItem'
    );
  }

  /**
   * Replaces a held item's attributes (and origin) with those of a changed copy; its
   * times and matched mark stay.
   */
  updateItem(
    slot: number,
    index: number,
    item: OrderItem,
    position: Origin,
    source: string | undefined,
  ): void {
    this.itemQuantity[index] = item.itemQuantity;
    this.itemAmount[index] = item.itemAmount;
    this.itemStatus[index] = item.itemStatus;
    const date = item.orderDateTime;
    const orderDate = this.orderDateTime[slot];
    this.itemDateTime[index] = orderDate !== undefined && orderDate === date ? orderDate : date;
    this.itemPosition[index] = position;
    this.itemSource[index] = source;
    this.itemExtra[index] = keyCount(item) === ITEM_KEYS ? undefined : item;
  }

  /** Drops the order of a key (its strings become garbage). */
  clearOrder(slot: number): void {
    this.orderFlag[slot] = ORDER_ABSENT;
    this.orderStatus[slot] = undefined;
    this.orderDateTime[slot] = undefined;
    this.shipToName[slot] = undefined;
    this.shipToAddress[slot] = undefined;
    this.shipToCity[slot] = undefined;
    this.shipToState[slot] = undefined;
    this.shipToZip[slot] = undefined;
    this.orderPosition[slot] = undefined;
    this.orderSource[slot] = undefined;
    this.orderExtra[slot] = undefined;
  }

  /** The order of a key as a record (rebuilt unless it carried extra attributes). */
  orderRecord(slot: number): Order {
    return (
      this.orderExtra[slot] ?? {
        orderId: this.orderId[slot]!,
        orderAmount: this.orderAmount[slot]!,
        orderStatus: this.orderStatus[slot]!,
        orderDateTime: this.orderDateTime[slot]!,
        shipToName: this.shipToName[slot]!,
        shipToAddress: this.shipToAddress[slot]!,
        shipToCity: this.shipToCity[slot]!,
        shipToState: this.shipToState[slot]!,
        shipToZip: this.shipToZip[slot]!,
        recordType: 'Order',
      }
    );
  }

  /** Appends an item to the key's list after `last` (or as the first when `last` is NONE). */
  addItem(
    slot: number,
    last: number,
    item: OrderItem,
    time: number,
    arrival: number,
    position: Origin,
    source: string | undefined,
    matched: boolean,
  ): number {
    let index = this.freeItems.pop();
    if (index === undefined) {
      if (this.itemTop === this.itemCapacity) this.growItems(Math.ceil(this.itemCapacity * 1.5));
      index = this.itemTop;
      this.itemTop += 1;
    }
    this.itemNext[index] = NONE;
    this.itemMatched[index] = matched ? 1 : 0;
    this.itemTime[index] = time;
    this.itemArrival[index] = arrival;
    this.itemId[index] = item.itemId;
    this.itemQuantity[index] = item.itemQuantity;
    this.itemAmount[index] = item.itemAmount;
    this.itemStatus[index] = item.itemStatus;
    // The item's date usually equals its order's: share the order's string then.
    const date = item.orderDateTime;
    const orderDate = this.orderDateTime[slot];
    this.itemDateTime[index] = orderDate !== undefined && orderDate === date ? orderDate : date;
    this.itemPosition[index] = position;
    this.itemSource[index] = source;
    this.itemExtra[index] = keyCount(item) === ITEM_KEYS ? undefined : item;
    if (last === NONE) this.firstItem[slot] = index;
    else this.itemNext[last] = index;
    return index;
  }

  /** Frees an item slot (the caller unlinks it). */
  freeItem(index: number): void {
    this.itemStatus[index] = undefined;
    this.itemDateTime[index] = undefined;
    this.itemPosition[index] = undefined;
    this.itemSource[index] = undefined;
    this.itemExtra[index] = undefined;
    this.freeItems.push(index);
  }

  /** An item as a record (rebuilt unless it carried extra attributes). */
  itemRecord(slot: number, index: number): OrderItem {
    return (
      this.itemExtra[index] ?? {
        orderId: this.orderId[slot]!,
        itemId: this.itemId[index]!,
        itemQuantity: this.itemQuantity[index]!,
        itemAmount: this.itemAmount[index]!,
        itemStatus: this.itemStatus[index]!,
        orderDateTime: this.itemDateTime[index]!,
        recordType: 'OrderItem',
      }
    );
  }

  /**
   * Takes every bucket that lies wholly below `watermark` out of the index and appends
   * the slots of the keys still indexed in it to `out` (each key once; it is then no
   * longer indexed until {@link setExpiresAt} or {@link reindex}).
   */
  takeExpiring(watermark: number, out: number[]): void {
    for (;;) {
      const bucket = this.bucketHeap.peek();
      if (bucket === undefined || (bucket + 1) * this.bucketMs > watermark) break;
      this.bucketHeap.pop();
      const slots = this.buckets.get(bucket);
      if (slots === undefined) continue;
      this.buckets.delete(bucket);
      for (const slot of slots) {
        if (this.indexedBucket[slot] !== bucket) continue; // moved, removed or taken
        this.indexedBucket[slot] = Number.NaN;
        out.push(slot);
      }
      slots.length = 0;
      if (this.spareBuckets.length < 64) this.spareBuckets.push(slots);
    }
  }

  /** Indexes a key again under its current `expiresAt` (after {@link takeExpiring}). */
  reindex(slot: number): void {
    this.index(slot);
  }

  /** The state of one key as a {@link JoinKeyState} (a copy). */
  exportState(slot: number): JoinKeyState {
    const items: StoredEntry<OrderItem>[] = [];
    for (let i = this.firstItem[slot]!; i !== NONE; i = this.itemNext[i]!) {
      items.push({
        record: this.itemRecord(slot, i),
        time: this.itemTime[i]!,
        arrivalTime: this.itemArrival[i]!,
        matched: this.itemMatched[i] === 1,
        position: this.itemPosition[i],
        source: this.itemSource[i],
      });
    }
    const flag = this.orderFlag[slot];
    return {
      orderId: this.orderId[slot]!,
      order:
        flag === ORDER_ABSENT
          ? undefined
          : {
              record: this.orderRecord(slot),
              time: this.orderTime[slot]!,
              arrivalTime: this.orderArrival[slot]!,
              matched: flag === ORDER_MATCHED,
              ...(this.orderPairs[slot]! > 0 ? { pairs: this.orderPairs[slot]! } : {}),
              position: this.orderPosition[slot],
              source: this.orderSource[slot],
            },
      items,
      expiresAt: this.expiresAt[slot]!,
    };
  }

  /** Stores a {@link JoinKeyState}, replacing what the table held for its key. */
  importState(state: JoinKeyState): number {
    const existing = this.slotOf(state.orderId);
    if (existing !== NONE) this.remove(existing);
    const slot = this.create(state.orderId, state.expiresAt);
    const order = state.order;
    if (order !== undefined) {
      this.setOrder(
        slot,
        order.record,
        order.time,
        order.arrivalTime,
        order.position,
        order.source,
        order.matched,
        order.pairs ?? 0,
      );
    }
    let last = NONE;
    for (const held of state.items) {
      last = this.addItem(
        slot,
        last,
        held.record,
        held.time,
        held.arrivalTime,
        held.position,
        held.source,
        held.matched,
      );
    }
    return slot;
  }

  /** Removes a slot from the hash table, shifting later entries of its run back. */
  private unhash(slot: number): void {
    const table = this.hashTable;
    const mask = this.hashMask;
    let hole = hashOf(this.orderId[slot]!) & mask;
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let next = (hole + 1) & mask; table[next] !== 0; next = (next + 1) & mask) {
      const home = hashOf(this.orderId[table[next]! - 1]!) & mask;
      // Move the entry into the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!stays) {
        table[hole] = table[next]!;
        hole = next;
      }
    }
    table[hole] = 0;
    this.count -= 1;
  }

  private rehash(size: number): void {
    const table = new Int32Array(size);
    const mask = size - 1;
    for (let slot = 0; slot < this.keyTop; slot += 1) {
      if (this.live[slot] !== 1) continue;
      let h = hashOf(this.orderId[slot]!) & mask;
      while (table[h] !== 0) h = (h + 1) & mask;
      table[h] = slot + 1;
    }
    this.hashTable = table;
    this.hashMask = mask;
  }

  private index(slot: number): void {
    const bucket = Math.floor(this.expiresAt[slot]! / this.bucketMs);
    if (this.indexedBucket[slot] === bucket) return;
    this.indexedBucket[slot] = bucket;
    let slots = this.buckets.get(bucket);
    if (slots === undefined) {
      slots = this.spareBuckets.pop() ?? [];
      this.buckets.set(bucket, slots);
      this.bucketHeap.push(bucket);
    }
    slots.push(slot);
  }

  private growKeys(capacity: number): void {
    this.orderId = growArray(this.orderId, capacity, 0);
    this.expiresAt = grow(this.expiresAt, capacity);
    this.indexedBucket = grow(this.indexedBucket, capacity);
    this.firstItem = grow(this.firstItem, capacity);
    this.live = grow(this.live, capacity);
    this.epoch = grow(this.epoch, capacity);
    this.orderFlag = grow(this.orderFlag, capacity);
    this.orderTime = grow(this.orderTime, capacity);
    this.orderArrival = grow(this.orderArrival, capacity);
    this.orderAmount = grow(this.orderAmount, capacity);
    this.orderPairs = grow(this.orderPairs, capacity);
    this.orderStatus = growArray(this.orderStatus, capacity, undefined);
    this.orderDateTime = growArray(this.orderDateTime, capacity, undefined);
    this.shipToName = growArray(this.shipToName, capacity, undefined);
    this.shipToAddress = growArray(this.shipToAddress, capacity, undefined);
    this.shipToCity = growArray(this.shipToCity, capacity, undefined);
    this.shipToState = growArray(this.shipToState, capacity, undefined);
    this.shipToZip = growArray(this.shipToZip, capacity, undefined);
    this.orderPosition = growArray(this.orderPosition, capacity, undefined);
    this.orderSource = growArray(this.orderSource, capacity, undefined);
    this.orderExtra = growArray(this.orderExtra, capacity, undefined);
    this.keyCapacity = capacity;
  }

  private growItems(capacity: number): void {
    this.itemNext = grow(this.itemNext, capacity);
    this.itemMatched = grow(this.itemMatched, capacity);
    this.itemTime = grow(this.itemTime, capacity);
    this.itemArrival = grow(this.itemArrival, capacity);
    this.itemId = growArray(this.itemId, capacity, 0);
    this.itemQuantity = growArray(this.itemQuantity, capacity, 0);
    this.itemAmount = grow(this.itemAmount, capacity);
    this.itemStatus = growArray(this.itemStatus, capacity, undefined);
    this.itemDateTime = growArray(this.itemDateTime, capacity, undefined);
    this.itemPosition = growArray(this.itemPosition, capacity, undefined);
    this.itemSource = growArray(this.itemSource, capacity, undefined);
    this.itemExtra = growArray(this.itemExtra, capacity, undefined);
    this.itemCapacity = capacity;
  }
}

/** A well-mixed 32-bit hash of an integer id (ids are safe integers, up to 2^53). */
function hashOf(id: number): number {
  const high = (id / 4_294_967_296) | 0;
  let h = Math.imul((id | 0) ^ Math.imul(high, 0x85eb_ca6b), 0x9e37_79b1);
  h ^= h >>> 15;
  return h;
}

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(
  column: T,
  capacity: number,
): T {
  const next = new (column.constructor as new (length: number) => T)(capacity);
  next.set(column);
  return next;
}

function growArray<T>(column: T[], capacity: number, empty: T): T[] {
  // Allocated at its exact size (growing by push would leave up to half of it unused),
  // and filled: every slot holds a value, so access stays fast. Numbers are kept in
  // plain arrays where they must stay small integers: an element read from a
  // Float64Array is a double, and a row field holding it becomes a boxed heap number
  // (more garbage, and a slower JSON.stringify) where the record had a small integer.
  const next = new Array<T>(capacity).fill(empty);
  for (let i = 0; i < column.length; i += 1) next[i] = column[i]!;
  return next;
}

/**
 * Enumerable keys (a record with extra attributes has more than its schema's). Records
 * are plain objects, so `for…in` sees only their own keys.
 */
function keyCount(record: object): number {
  let count = 0;
  for (const _key in record) count += 1;
  return count;
}

/** Two flat records with the same attributes and values (nested values compared as JSON). */
function sameRecord(a: object, b: object): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  if (keyCount(a) !== keyCount(b)) return false;
  for (const key in left) {
    if (!(key in right)) return false;
    const x = left[key];
    const y = right[key];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}
