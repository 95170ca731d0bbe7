import type { EnrichedOrderItem } from '@kse/schemas';
import { COMPARED_FIELDS, rowKey, type ComparableRow } from './rowKey.js';

/**
 * A row's table key as one exact number, `orderId · 2^30 + itemId`, when both ids are
 * non-negative integers with `orderId < 2^23` and `itemId < 2^30` (so the result is a safe
 * integer: generated orders and the sample's product ids fit); otherwise `undefined`.
 */
export function numericRowKey(orderId: number, itemId: number): number | undefined {
  if (!Number.isInteger(orderId) || !Number.isInteger(itemId)) return undefined;
  if (orderId < 0 || orderId >= 2 ** 23 || itemId < 0 || itemId >= 2 ** 30) return undefined;
  return orderId * 2 ** 30 + itemId;
}

// Scratch space to read a number's IEEE 754 bits as two 32-bit words.
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);

/**
 * A 53-bit fingerprint of a row's compared fields (`COMPARED_FIELDS`, in order): two
 * different rows (not crafted to collide) share one with a probability of about 2^-53.
 * It hashes the values themselves, no string is built: a third of the time of a SHA-1 of
 * {@link canonicalRow} (the million rows of the sample's run are fingerprinted twice,
 * once per side). Equal
 * fingerprints stand for equal canonical strings: `null` and a missing field are one
 * value, as are `0` and `-0`; a number never equals a string.
 *
 * Two 32-bit lanes, each over the same stream of 32-bit words (a type tag per value,
 * then a number's two words or a string's length and UTF-16 code units): one with
 * MurmurHash3's round and finalizer, the other with xxHash32's (other multipliers and
 * rotations), so that inputs colliding in one lane are not bound to collide in the other.
 */
export function rowFingerprint(row: ComparableRow): number {
  let a = 0x9747b28c;
  let b = 0x165667b1;
  const word = (k: number): void => {
    let x = Math.imul(k, 0xcc9e2d51);
    x = Math.imul((x << 15) | (x >>> 17), 0x1b873593);
    a ^= x;
    a = (Math.imul((a << 13) | (a >>> 19), 5) + 0xe6546b64) | 0;
    b = (b + Math.imul(k, 0x85ebca77)) | 0;
    b = Math.imul((b << 13) | (b >>> 19), 0x9e3779b1);
  };
  for (const field of COMPARED_FIELDS) {
    const value: unknown = row[field];
    if (value === null || value === undefined) {
      word(1);
    } else if (typeof value === 'number') {
      float[0] = value === 0 ? 0 : value;
      word(2);
      word(words[0]!);
      word(words[1]!);
    } else {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      word(typeof value === 'string' ? 3 : 4);
      word(text.length);
      for (let i = 0; i < text.length; i += 1) word(text.charCodeAt(i));
    }
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 15;
  b = Math.imul(b, 0x85ebca77);
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae3d);
  b ^= b >>> 16;
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) >>> 11);
}

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
    let slot = mix(key) & mask;
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

// Mixes both 32-bit halves of a safe integer into a well-spread 32-bit hash.
function mix(key: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul(Math.floor(key / 2 ** 32), 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
