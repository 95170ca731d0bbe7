// BigInt versions of kinesalite 3.3.3's sequence-number and hash-key helpers
// (node_modules/kinesalite/db/index.js), which spend their time in bignumber.js.
//
// Kinesalite's action modules call these helpers through the shared module object
// (`db.parseSequence(...)` at call time), so replacing the exports of the `kinesalite/db`
// instance in the require cache changes what a running kinesalite in this process uses.
//
// Equivalence rule: the fast path covers the inputs kinesalite produces (digit strings,
// safe non-negative integers, lowercase hex) and builds every piece with the same
// string operations as the original; any other input (a request's odd sequence number
// such as "0x1f" or "1.5" — kinesalite's pattern `^0|([1-9]\d{0,128})$` lets those
// through — negative or fractional numbers, uppercase hex) is handed to the original
// function, so the result, or the error thrown, is the original's.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A sequence number split into its fields, as kinesalite's `parseSequence` returns it. */
export interface KinesaliteSequence {
  shardCreateTime: number;
  shardIx: number;
  version: number;
  /** Version 2: a decimal string; version 1: a number; version 0: absent. */
  seqIx?: string | number;
  seqTime?: number;
  byte1?: string;
  seqRand?: string;
}

/** What kinesalite's `stringifySequence` reads (version `null`/absent means 2). */
export interface KinesaliteSequenceInput {
  shardCreateTime: number;
  shardIx?: number;
  version?: number | string | null;
  seqIx?: string | number;
  seqTime?: number | null;
  byte1?: string;
  seqRand?: string;
}

/** The part of a bignumber.js `BigNumber` that kinesalite uses on a partition key's hash. */
export interface KinesaliteHashKey {
  /** 1, -1 or 0 (`null` when `other` is not a number), as `BigNumber#comparedTo`. */
  comparedTo(other: unknown, base?: number): number | null;
  /** The decimal value. */
  toFixed(): string;
  toString(base?: number): string;
}

/** The four helpers this module replaces. */
export interface KinesaliteSequenceHelpers {
  parseSequence(seq: unknown): KinesaliteSequence;
  stringifySequence(obj: KinesaliteSequenceInput): string;
  incrementSequence(seqObj: string | KinesaliteSequence, seqTime?: number | null): string;
  partitionKeyToHashKey(partitionKey: string): KinesaliteHashKey;
}

type KinesaliteDb = KinesaliteSequenceHelpers & Record<string | symbol, unknown>;

// Symbol.for: the ESM and CJS builds of this package may both be loaded in one process;
// whichever installs first records the originals for both.
const ORIGINALS = Symbol.for('@kse/local-stack.kinesaliteOriginals');

const HELPER_NAMES = [
  'parseSequence',
  'stringifySequence',
  'incrementSequence',
  'partitionKeyToHashKey',
] as const;

function thisModuleFile(): string {
  // CJS build: __filename; ESM build, vitest and tsx: import.meta.url.
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}

let dbModule: KinesaliteDb | undefined;

/** The `kinesalite/db` module instance that kinesalite, resolved from this package, uses. */
function kinesaliteDb(): KinesaliteDb {
  dbModule ??= createRequire(thisModuleFile())('kinesalite/db') as KinesaliteDb;
  if (dbModule[ORIGINALS] === undefined) {
    const originals = Object.fromEntries(HELPER_NAMES.map((name) => [name, dbModule![name]]));
    Object.defineProperty(dbModule, ORIGINALS, { value: Object.freeze(originals) });
  }
  return dbModule;
}

/** Kinesalite's own (bignumber.js) helpers, whether or not the speedups are installed. */
export function kinesaliteOriginals(): KinesaliteSequenceHelpers {
  return kinesaliteDb()[ORIGINALS] as KinesaliteSequenceHelpers;
}

const DIGITS = /^\d+$/;
const LOWER_HEX = /^[0-9a-f]+$/;

const POW_2_124 = 1n << 124n;
// kinesalite: new BigNumber(2).pow(125).times(16)
const POW_2_124_NEXT = 1n << 129n;
const POW_2_185 = 1n << 185n;
// kinesalite: new BigNumber(2).pow(185).times(1.5)
const POW_2_185_NEXT = 3n << 184n;

/** Same result as kinesalite's `parseSequence`, without bignumber.js for digit strings. */
export function parseSequence(seq: unknown): KinesaliteSequence {
  if (typeof seq !== 'string' || !DIGITS.test(seq)) return kinesaliteOriginals().parseSequence(seq);
  let seqNum = BigInt(seq);
  if (seqNum < POW_2_124) seqNum += POW_2_124;
  // For a non-negative integer, BigInt and BigNumber print the same lowercase hex, so
  // everything below is the original's string slicing, unchanged.
  const hex = seqNum.toString(16);
  const version =
    seqNum < POW_2_124_NEXT
      ? 0
      : seqNum > POW_2_185 && seqNum < POW_2_185_NEXT
        ? parseInt(hex.slice(hex.length - 1), 16)
        : null;
  if (version == 2) {
    // 2^185 < seqNum < 1.5 * 2^185: 47 hex digits, so these slices are full hex.
    const seqIxHex = hex.slice(11, 27);
    let shardIxHex = hex.slice(38, 46);
    if (parseInt(seqIxHex[0]!, 16) > 7) throw new Error('Sequence index too high');
    if (parseInt(shardIxHex[0]!, 16) > 7) shardIxHex = '-' + shardIxHex;
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error('Date too large: ' + shardCreateSecs);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      seqIx: BigInt('0x' + seqIxHex).toString(),
      byte1: hex.slice(27, 29),
      seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
      shardIx: parseInt(shardIxHex, 16),
      version,
    };
  } else if (version == 1) {
    return {
      shardCreateTime: parseInt(hex.slice(1, 10), 16) * 1000,
      byte1: hex.slice(11, 13),
      seqTime: parseInt(hex.slice(13, 22), 16) * 1000,
      seqRand: hex.slice(22, 36),
      seqIx: parseInt(hex.slice(36, 38), 16),
      shardIx: parseInt(hex.slice(38, 46), 16),
      version,
    };
  } else if (version === 0) {
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    if (shardCreateSecs >= 16025175000) throw new Error('Date too large: ' + shardCreateSecs);
    return {
      shardCreateTime: shardCreateSecs * 1000,
      byte1: hex.slice(10, 12),
      seqRand: hex.slice(12, 28),
      shardIx: parseInt(hex.slice(28, 32), 16),
      version,
    };
  } else {
    throw new Error('Unknown version: ' + version);
  }
}

/** Hex of `seqIx || 0` when BigNumber and BigInt agree on it, else undefined. */
function seqIxToHex(seqIx: string | number | undefined): string | undefined {
  const value = seqIx || 0;
  if (typeof value === 'number')
    return Number.isSafeInteger(value) ? value.toString(16) : undefined;
  return DIGITS.test(value) ? BigInt(value).toString(16) : undefined;
}

function shardIxToHex(shardIx: number | undefined): string {
  return ('0000000' + (shardIx || 0).toString(16)).slice(-8);
}

/** Same result as kinesalite's `stringifySequence`, without bignumber.js for its inputs. */
export function stringifySequence(obj: KinesaliteSequenceInput): string {
  let hex: string;
  if (obj.version == null || obj.version == 2) {
    const seqIxHex = seqIxToHex(obj.seqIx);
    if (seqIxHex === undefined) return kinesaliteOriginals().stringifySequence(obj);
    hex = [
      '2',
      ('00000000' + Math.floor(obj.shardCreateTime / 1000).toString(16)).slice(-9),
      (obj.shardIx || 0).toString(16).slice(-1),
      ('0000000000000000' + seqIxHex).slice(-16),
      obj.byte1 || '00',
      ('00000000' + Math.floor((obj.seqTime || obj.shardCreateTime) / 1000).toString(16)).slice(-9),
      shardIxToHex(obj.shardIx),
      '2',
    ].join('');
  } else if (obj.version == 1) {
    hex = [
      '2',
      ('00000000' + Math.floor(obj.shardCreateTime / 1000).toString(16)).slice(-9),
      (obj.shardIx || 0).toString(16).slice(-1),
      obj.byte1 || '00',
      ('00000000' + Math.floor((obj.seqTime || obj.shardCreateTime) / 1000).toString(16)).slice(-9),
      obj.seqRand || '00000000000000',
      ('0' + (obj.seqIx || 0).toString(16)).slice(-2),
      shardIxToHex(obj.shardIx),
      '1',
    ].join('');
  } else if (obj.version === 0) {
    hex = [
      '1',
      ('00000000' + Math.floor(obj.shardCreateTime / 1000).toString(16)).slice(-9),
      obj.byte1 || '00',
      obj.seqRand || '0000000000000000',
      shardIxToHex(obj.shardIx).slice(-4),
    ].join('');
  } else {
    throw new Error('Unknown version: ' + obj.version);
  }
  // A negative shard index, NaN time, uppercase or fractional piece: bignumber.js's
  // own reading of the string (usually "NaN").
  if (!LOWER_HEX.test(hex)) return kinesaliteOriginals().stringifySequence(obj);
  return BigInt('0x' + hex).toString();
}

/** Same result as kinesalite's `incrementSequence`: the next sequence number's string. */
export function incrementSequence(
  seqObj: string | KinesaliteSequence,
  seqTime?: number | null,
): string {
  const parsed = typeof seqObj == 'string' ? parseSequence(seqObj) : seqObj;
  return stringifySequence({
    shardCreateTime: parsed.shardCreateTime,
    seqIx: parsed.seqIx,
    seqTime: seqTime || parsed.seqTime! + 1000,
    shardIx: parsed.shardIx,
  });
}

const MAX_HASH_KEY = (1n << 128n) - 1n;
// Shard hash-key boundaries (decimal strings) as 32-digit hex; `null`: above 2^128 - 1.
// A stream has a handful of boundaries, so this stays small; the bound guards odd callers.
const boundaryHex = new Map<string, string | null>();

/** 32-digit lowercase hex of a digit string or safe integer in [0, 2^128), null above. */
function hashKeyBoundaryHex(other: unknown): string | null | undefined {
  if (typeof other === 'string') {
    let hex = boundaryHex.get(other);
    if (hex === undefined) {
      if (!DIGITS.test(other)) return undefined;
      const value = BigInt(other);
      hex = value > MAX_HASH_KEY ? null : value.toString(16).padStart(32, '0');
      if (boundaryHex.size >= 1024) boundaryHex.clear();
      boundaryHex.set(other, hex);
    }
    return hex;
  }
  if (typeof other === 'number' && Number.isSafeInteger(other) && other >= 0) {
    return other.toString(16).padStart(32, '0');
  }
  return undefined;
}

/** An MD5 hash key compared as a 32-digit hex string (same order as the numbers). */
class Md5HashKey implements KinesaliteHashKey {
  constructor(
    private readonly partitionKey: string,
    private readonly hex: string,
  ) {}

  comparedTo(other: unknown, base?: number): number | null {
    if (base === undefined) {
      const otherHex = hashKeyBoundaryHex(other);
      if (otherHex === null) return -1;
      if (otherHex !== undefined) return this.hex < otherHex ? -1 : this.hex > otherHex ? 1 : 0;
    }
    return this.original().comparedTo(other, base);
  }

  toFixed(): string {
    return BigInt('0x' + this.hex).toString();
  }

  toString(base?: number): string {
    // BigNumber#toString() switches to exponent notation above 1e21: let it.
    return this.original().toString(base);
  }

  private original(): KinesaliteHashKey {
    return kinesaliteOriginals().partitionKeyToHashKey(this.partitionKey);
  }
}

/** Same ordering as kinesalite's `partitionKeyToHashKey` (MD5 of the UTF-8 key). */
export function partitionKeyToHashKey(partitionKey: string): KinesaliteHashKey {
  return new Md5HashKey(partitionKey, createHash('md5').update(partitionKey, 'utf8').digest('hex'));
}

const SPEEDUPS: KinesaliteSequenceHelpers = {
  parseSequence,
  stringifySequence,
  incrementSequence,
  partitionKeyToHashKey,
};

/**
 * Makes kinesalite (the copy resolved from `@kse/local-stack`) in this process faster:
 * replaces its sequence-number and hash-key helpers, which use bignumber.js and take
 * about a quarter of the emulator's CPU under PutRecords/GetRecords load, with BigInt
 * versions that return the same values (property-tested against the originals).
 * Idempotent; affects emulators already running in this process too. `startLocalStack`
 * (and so every `spawnLocalStack` child) calls it with `speedups: true`; call it yourself
 * for a kinesalite you start another way.
 *
 * @example
 * ```ts
 * installKinesaliteSpeedups();
 * const server = kinesalite({ createStreamMs: 50 });
 * ```
 */
export function installKinesaliteSpeedups(): void {
  const db = kinesaliteDb();
  for (const name of HELPER_NAMES) db[name] = SPEEDUPS[name] as never;
}

/** Puts kinesalite's own helpers back (benchmarks and tests compare the two). */
export function uninstallKinesaliteSpeedups(): void {
  const db = kinesaliteDb();
  const originals = kinesaliteOriginals();
  for (const name of HELPER_NAMES) db[name] = originals[name] as never;
}

/** True when kinesalite in this process uses the BigInt helpers. */
export function kinesaliteSpeedupsInstalled(): boolean {
  const db = kinesaliteDb();
  return HELPER_NAMES.every((name) => db[name] === SPEEDUPS[name]);
}
