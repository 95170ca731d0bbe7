import type { EnrichedOrderItem } from '@kse/schemas';
import { rowKey } from './rowKey.js';

const EMPTY = 0;
const PRESENT = 1;
const TAKEN = 2;

type RowIds = Pick<EnrichedOrderItem, 'orderId' | 'itemId'>;

/**
 * Rows by key (`orderId`, `itemId`), each with a number (a verification's fingerprint): an
 * open-addressing hash table over typed arrays, ~50 bytes per row at most (a million rows:
 * 50 MB, where a `Map` of key and digest strings took ~150 MB). Both ids are held as they
 * are, whatever their size: `kse generate`'s ids (orders from 10,000,001, products from
 * 999,900,001) take 54 bits together, one more than a single number holds exactly. Keys
 * whose ids are not safe integers go to a plain `Map` of {@link rowKey}s. Also the set of
 * landed keys of `kse run`'s write tap (with a fingerprint of 0).
 */
export class LandedIndex {
  private orderIds = new Float64Array(1024);
  private itemIds = new Float64Array(1024);
  private fingerprints = new Float64Array(1024);
  private states = new Uint8Array(1024);
  private used = 0;
  private readonly others = new Map<string, number>();
  private presentCount = 0;

  /** Rows added and not taken. */
  get size(): number {
    return this.presentCount + this.others.size;
  }

  /** Rows held by their {@link rowKey} string (ids that are not safe integers). */
  get stringKeyed(): number {
    return this.others.size;
  }

  /**
   * Records a row with this key and returns `true`; returns `false` (and keeps the first)
   * when a row with this key is already held.
   */
  add(row: RowIds, fingerprint: number): boolean {
    const { orderId, itemId } = row;
    if (!integerIds(orderId, itemId)) {
      const name = rowKey(row);
      if (this.others.has(name)) return false;
      this.others.set(name, fingerprint);
      return true;
    }
    if ((this.used + 1) * 2 > this.states.length) this.grow();
    const slot = this.find(orderId, itemId);
    if (this.states[slot] === PRESENT) return false;
    if (this.states[slot] === EMPTY) this.used += 1;
    this.presentCount += 1;
    this.states[slot] = PRESENT;
    this.orderIds[slot] = orderId;
    this.itemIds[slot] = itemId;
    this.fingerprints[slot] = fingerprint;
    return true;
  }

  /** Removes the row with this key and returns its fingerprint (`undefined`: not landed). */
  take(row: RowIds): number | undefined {
    const { orderId, itemId } = row;
    if (!integerIds(orderId, itemId)) {
      const name = rowKey(row);
      const found = this.others.get(name);
      this.others.delete(name);
      return found;
    }
    const slot = this.find(orderId, itemId);
    if (this.states[slot] !== PRESENT) return undefined;
    this.states[slot] = TAKEN;
    this.presentCount -= 1;
    return this.fingerprints[slot];
  }

  /** The keys (`orderId/itemId`) of the rows not taken, at most `limit`. */
  remainingKeys(limit: number): string[] {
    const out: string[] = [];
    for (let slot = 0; slot < this.states.length && out.length < limit; slot += 1) {
      if (this.states[slot] !== PRESENT) continue;
      out.push(rowKey({ orderId: this.orderIds[slot]!, itemId: this.itemIds[slot]! }));
    }
    for (const name of this.others.keys()) {
      if (out.length >= limit) break;
      out.push(name);
    }
    return out;
  }

  // The slot holding the key, or the empty slot where it would go (linear probing; taken
  // slots keep their key, so a probe passes them).
  private find(orderId: number, itemId: number): number {
    const mask = this.states.length - 1;
    let slot = mixPair(orderId, itemId) & mask;
    while (
      this.states[slot] !== EMPTY &&
      (this.orderIds[slot] !== orderId || this.itemIds[slot] !== itemId)
    ) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private grow(): void {
    const { orderIds, itemIds, fingerprints, states } = this;
    const capacity = states.length * 2;
    this.orderIds = new Float64Array(capacity);
    this.itemIds = new Float64Array(capacity);
    this.fingerprints = new Float64Array(capacity);
    this.states = new Uint8Array(capacity);
    this.used = 0;
    for (let slot = 0; slot < states.length; slot += 1) {
      if (states[slot] !== PRESENT) continue;
      const target = this.find(orderIds[slot]!, itemIds[slot]!);
      this.states[target] = PRESENT;
      this.orderIds[target] = orderIds[slot]!;
      this.itemIds[target] = itemIds[slot]!;
      this.fingerprints[target] = fingerprints[slot]!;
      this.used += 1;
    }
  }
}

// `-0` passes and is held as `0`'s key: the two compare equal, as their row keys do.
function integerIds(orderId: number, itemId: number): boolean {
  return Number.isSafeInteger(orderId) && Number.isSafeInteger(itemId);
}

/** Mixes both 32-bit halves of a safe integer into a well-spread 32-bit hash. */
export function mixKey(key: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul(Math.floor(key / 2 ** 32), 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A well-spread 32-bit hash of two safe integers. */
function mixPair(a: number, b: number): number {
  return mixKey(Math.imul(mixKey(a), 0x9e3779b1) ^ mixKey(b));
}
