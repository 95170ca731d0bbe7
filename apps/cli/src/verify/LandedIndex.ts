import type { EnrichedOrderItem } from '@kse/schemas';
import { numericRowKey, rowKey } from './rowKey.js';

const EMPTY = 0;
const PRESENT = 1;
const TAKEN = 2;

/**
 * Rows of a verification by key, each with its fingerprint: an open-addressing
 * hash table over typed arrays, ~34 bytes per row at most (a million rows: 34 MB, where a
 * `Map` of key and digest strings took ~150 MB). Keys that are not {@link numericRowKey}s
 * go to a plain `Map`.
 */
export class LandedIndex {
  private keys = new Float64Array(1024);
  private fingerprints = new Float64Array(1024);
  private states = new Uint8Array(1024);
  private used = 0;
  private readonly others = new Map<string, number>();
  private presentCount = 0;

  /** Rows added and not taken. */
  get size(): number {
    return this.presentCount + this.others.size;
  }

  /**
   * Records a row with this key and returns `true`; returns `false` (and keeps the first)
   * when a row with this key is already held.
   */
  add(row: Pick<EnrichedOrderItem, 'orderId' | 'itemId'>, fingerprint: number): boolean {
    const key = numericRowKey(row.orderId, row.itemId);
    if (key === undefined) {
      const name = rowKey(row);
      if (this.others.has(name)) return false;
      this.others.set(name, fingerprint);
      return true;
    }
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const slot = this.find(key);
    if (this.states[slot] === PRESENT) return false;
    if (this.states[slot] === EMPTY) this.used += 1;
    this.presentCount += 1;
    this.states[slot] = PRESENT;
    this.keys[slot] = key;
    this.fingerprints[slot] = fingerprint;
    return true;
  }

  /** Removes the row with this key and returns its fingerprint (`undefined`: not landed). */
  take(row: Pick<EnrichedOrderItem, 'orderId' | 'itemId'>): number | undefined {
    const key = numericRowKey(row.orderId, row.itemId);
    if (key === undefined) {
      const name = rowKey(row);
      const found = this.others.get(name);
      this.others.delete(name);
      return found;
    }
    const slot = this.find(key);
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
      const key = this.keys[slot]!;
      out.push(`${Math.floor(key / 2 ** 30)}/${key % 2 ** 30}`);
    }
    for (const name of this.others.keys()) {
      if (out.length >= limit) break;
      out.push(name);
    }
    return out;
  }

  // The slot holding `key`, or the empty slot where it would go (linear probing; taken
  // slots keep their key, so a probe passes them).
  private find(key: number): number {
    const mask = this.keys.length - 1;
    let slot = mixKey(key) & mask;
    while (this.states[slot] !== EMPTY && this.keys[slot] !== key) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const { keys, fingerprints, states } = this;
    const capacity = keys.length * 2;
    this.keys = new Float64Array(capacity);
    this.fingerprints = new Float64Array(capacity);
    this.states = new Uint8Array(capacity);
    this.used = 0;
    for (let slot = 0; slot < states.length; slot += 1) {
      if (states[slot] !== PRESENT) continue;
      const target = this.find(keys[slot]!);
      this.states[target] = PRESENT;
      this.keys[target] = keys[slot]!;
      this.fingerprints[target] = fingerprints[slot]!;
      this.used += 1;
    }
  }
}

/** Mixes both 32-bit halves of a safe integer into a well-spread 32-bit hash. */
export function mixKey(key: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul(Math.floor(key / 2 ** 32), 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
