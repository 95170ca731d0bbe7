import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  incrementSequence,
  installKinesaliteSpeedups,
  kinesaliteOriginals,
  kinesaliteSpeedupsInstalled,
  parseSequence,
  partitionKeyToHashKey,
  stringifySequence,
  uninstallKinesaliteSpeedups,
  type KinesaliteSequenceInput,
} from '../src/emulators/speedups/kinesaliteSpeedups.js';

const original = kinesaliteOriginals();
const SEED = 20_240_611;
const RUNS = 3000;
const kinesaliteDb = createRequire(import.meta.url)('kinesalite/db') as Record<string, unknown>;

/** The value returned, or the error thrown, so that failures compare too. */
function outcome<T>(run: () => T): { value: T } | { error: string } {
  try {
    return { value: run() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const MAX_SEQ_IX = (1n << 63n) - 1n;
const MAX_HASH_KEY = (1n << 128n) - 1n;
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

// Shard creation times up to the original's 'Date too large' limit (and beyond it), in ms.
const timeArb = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000 }).map((s) => s * 1000),
  fc.integer({ min: 0, max: 16_025_175_000 * 1000 + 10_000_000 }),
  fc.constantFrom(0, 1_700_000_000_000, 16_025_174_999_000, 16_025_175_000_000),
);
// Non-negative shard indexes, and negative ones: parseSequence returns those for
// 8-hex-digit shard fields from 0x80000000 up.
const shardIxArb = fc.oneof(
  fc.integer({ min: 0, max: 2_147_483_647 }),
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: -4_294_967_295, max: -2_147_483_648 }),
  fc.integer({ min: -300, max: -1 }),
);
const seqIxArb = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_SEQ_IX }).map(String),
  fc.bigInt({ min: 0n, max: 1n << 70n }).map(String),
  fc.nat(),
  fc.constant(undefined),
);

const v2Arb: fc.Arbitrary<KinesaliteSequenceInput> = fc.record(
  {
    shardCreateTime: timeArb,
    shardIx: shardIxArb,
    seqIx: seqIxArb,
    seqTime: fc.oneof(timeArb, fc.constant(null)),
    byte1: hex(2),
    version: fc.constantFrom(2, null, '2'),
  },
  { requiredKeys: ['shardCreateTime'] },
);
const v1Arb: fc.Arbitrary<KinesaliteSequenceInput> = fc.record(
  {
    shardCreateTime: timeArb,
    shardIx: shardIxArb,
    seqIx: fc.integer({ min: 0, max: 255 }),
    seqTime: timeArb,
    byte1: hex(2),
    seqRand: hex(14),
    version: fc.constantFrom(1, '1'),
  },
  { requiredKeys: ['shardCreateTime', 'version'] },
);
const v0Arb: fc.Arbitrary<KinesaliteSequenceInput> = fc.record(
  {
    shardCreateTime: timeArb,
    shardIx: fc.oneof(fc.integer({ min: 0, max: 65_535 }), shardIxArb),
    byte1: hex(2),
    seqRand: hex(16),
    version: fc.constant(0),
  },
  { requiredKeys: ['shardCreateTime', 'version'] },
);
const sequenceObjectArb = fc.oneof(v2Arb, v1Arb, v0Arb);

/** Decimal strings around and inside each version's range, and plain random ones. */
const sequenceStringArb = fc.oneof(
  sequenceObjectArb.map((obj) => original.stringifySequence(obj)),
  fc.bigInt({ min: 0n, max: 1n << 190n }).map(String),
  fc.bigInt({ min: 1n << 185n, max: 3n << 184n }).map(String),
  fc.bigInt({ min: 0n, max: 1n << 129n }).map(String),
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 130 }),
  // The original's range limits, and their neighbours.
  fc
    .tuple(
      fc.constantFrom(0n, 1n << 124n, 1n << 129n, 1n << 185n, 3n << 184n, 1n << 128n),
      fc.integer({ min: -2, max: 2 }),
    )
    .filter(([limit, delta]) => limit + BigInt(delta) >= 0n)
    .map(([limit, delta]) => (limit + BigInt(delta)).toString()),
);

describe('kinesalite speedups: sequence numbers', () => {
  it('stringifySequence returns the original string for sequence objects of versions 0, 1, 2', () => {
    fc.assert(
      fc.property(sequenceObjectArb, (obj) => {
        expect(outcome(() => stringifySequence(obj))).toStrictEqual(
          outcome(() => original.stringifySequence(obj)),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('parseSequence returns the original fields (seqIx a decimal string in v2) or error', () => {
    fc.assert(
      fc.property(sequenceStringArb, (seq) => {
        expect(outcome(() => parseSequence(seq))).toStrictEqual(
          outcome(() => original.parseSequence(seq)),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('parse(stringify(x)) and incrementSequence match the originals', () => {
    fc.assert(
      fc.property(sequenceObjectArb, fc.option(timeArb), (obj, seqTime) => {
        const seq = original.stringifySequence(obj);
        const parsed = outcome(() => parseSequence(stringifySequence(obj)));
        expect(parsed).toStrictEqual(outcome(() => original.parseSequence(seq)));
        expect(outcome(() => incrementSequence(seq, seqTime))).toStrictEqual(
          outcome(() => original.incrementSequence(seq, seqTime)),
        );
        if ('value' in parsed) {
          expect(outcome(() => incrementSequence(parsed.value, seqTime))).toStrictEqual(
            outcome(() => original.incrementSequence(parsed.value, seqTime)),
          );
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('v2 sequence numbers round-trip: seqIx up to 2^63-1 as a decimal string, shardIx, times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16_025_174_999 }).map((s) => s * 1000),
        fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }),
        fc.bigInt({ min: 0n, max: MAX_SEQ_IX }),
        fc.integer({ min: 1, max: 16_025_174_999 }).map((s) => s * 1000),
        (shardCreateTime, shardIx, seqIx, seqTime) => {
          const seq = stringifySequence({
            shardCreateTime,
            shardIx,
            seqIx: String(seqIx),
            seqTime,
          });
          expect(seq).toBe(
            original.stringifySequence({ shardCreateTime, shardIx, seqIx: String(seqIx), seqTime }),
          );
          // Negative shard indexes above -2^31 make the original print "NaN".
          if (shardIx < 0 && shardIx > -2_147_483_648) return;
          expect(parseSequence(seq)).toStrictEqual({
            shardCreateTime,
            seqIx: String(seqIx),
            byte1: '00',
            seqTime,
            shardIx,
            version: 2,
          });
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('odd inputs give the original result or error (fallback to bignumber.js)', () => {
    const strings = [
      '0',
      '0x1f',
      '0abc',
      '1.5',
      '-5',
      ' 12',
      '+12',
      '1e40',
      'abc1',
      'Infinity',
      '-Infinity',
      'NaN',
      '',
      '00000000000000000000000000000000000000000000049646437577130777162115407028973509772956151252374257682',
      '9'.repeat(129),
    ];
    for (const seq of strings) {
      expect(
        outcome(() => parseSequence(seq)),
        seq,
      ).toStrictEqual(outcome(() => original.parseSequence(seq)));
      expect(
        outcome(() => incrementSequence(seq)),
        seq,
      ).toStrictEqual(outcome(() => original.incrementSequence(seq)));
    }
    const base = { shardCreateTime: 1_700_000_000_000, shardIx: 3, seqIx: 7 };
    const objects: KinesaliteSequenceInput[] = [
      base,
      { ...base, seqIx: '1.5' },
      { ...base, seqIx: -3 },
      { ...base, seqIx: 1e20 },
      { ...base, seqIx: 2 ** 53 + 2 },
      // Exact as a double, but String() of it (what bignumber.js reads) is rounded.
      { ...base, seqIx: 2 ** 70 + 2 ** 19 },
      { ...base, seqIx: 0.1 },
      { ...base, seqIx: '0x10' },
      { ...base, seqIx: '' },
      { ...base, shardIx: -5 },
      { ...base, shardIx: -2_147_483_648 },
      { ...base, shardIx: 1.5 },
      { ...base, shardCreateTime: Number.NaN },
      { ...base, byte1: 'AB' },
      { ...base, byte1: 'zz' },
      { ...base, version: 3 },
      { ...base, version: '0' },
      { ...base, version: 1, seqRand: 'ABCDEF00000000' },
      { ...base, version: 0, shardIx: -1 },
    ];
    for (const obj of objects) {
      expect(
        outcome(() => stringifySequence(obj)),
        JSON.stringify(obj),
      ).toStrictEqual(outcome(() => original.stringifySequence(obj)));
    }
  });
});

describe('kinesalite speedups: partitionKeyToHashKey', () => {
  const boundaryArb = fc.oneof(
    fc.bigInt({ min: 0n, max: MAX_HASH_KEY }).map(String),
    fc.constantFrom('0', MAX_HASH_KEY.toString(), (1n << 127n).toString(), (1n << 128n).toString()),
    fc.bigInt({ min: 1n << 128n, max: 1n << 140n }).map(String),
    fc.nat(),
  );
  const keyArb = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }),
    fc.nat().map(String),
  );

  it('compares with shard boundaries (decimal strings of 0..2^128-1) as the original does', () => {
    fc.assert(
      fc.property(keyArb, fc.array(boundaryArb, { minLength: 1, maxLength: 8 }), (key, bounds) => {
        const fast = partitionKeyToHashKey(key);
        const slow = original.partitionKeyToHashKey(key);
        for (const bound of bounds) expect(fast.comparedTo(bound)).toBe(slow.comparedTo(bound));
        expect(fast.toFixed()).toBe(slow.toFixed());
        expect(fast.toString()).toBe(slow.toString());
        expect(fast.toString(16)).toBe(slow.toString(16));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('compares equal with its own value and picks the shard CreateStream ranges would', () => {
    fc.assert(
      fc.property(keyArb, fc.integer({ min: 1, max: 100 }), (key, shardCount) => {
        const fast = partitionKeyToHashKey(key);
        const slow = original.partitionKeyToHashKey(key);
        const value = slow.toFixed();
        expect(fast.comparedTo(value)).toBe(0);
        expect(fast.comparedTo((BigInt(value) + 1n).toString())).toBe(-1);
        // kinesalite createStream: 2^128 / shardCount per shard, the last one to 2^128-1.
        const width = (1n << 128n) / BigInt(shardCount);
        const shardOf = (hashKey: typeof fast) => {
          for (let i = 0n; i < BigInt(shardCount); i += 1n) {
            const start = (width * i).toString();
            const end = (
              i < BigInt(shardCount) - 1n ? width * (i + 1n) - 1n : MAX_HASH_KEY
            ).toString();
            if (hashKey.comparedTo(start)! >= 0 && hashKey.comparedTo(end)! <= 0) return i;
          }
          return -1n;
        };
        expect(shardOf(fast)).toBe(shardOf(slow));
        expect(shardOf(fast)).toBe(
          BigInt(value) / width >= BigInt(shardCount)
            ? BigInt(shardCount) - 1n
            : BigInt(value) / width,
        );
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('odd comparands (non-decimal strings, bases, negatives, fractions) match the original', () => {
    const key = 'order-42';
    const fast = partitionKeyToHashKey(key);
    const slow = original.partitionKeyToHashKey(key);
    const others: [unknown, number?][] = [
      ['-1'],
      [-1],
      ['1.5'],
      [1.5],
      ['0x10'],
      ['abc'],
      ['ffffffffffffffffffffffffffffffff', 16],
      [' 12'],
      [Number.NaN],
      [2 ** 60],
    ];
    for (const [other, base] of others) {
      expect(fast.comparedTo(other, base), String(other)).toBe(slow.comparedTo(other, base));
    }
  });
});

describe('installKinesaliteSpeedups', () => {
  afterEach(() => uninstallKinesaliteSpeedups());

  it('replaces the four helpers on the kinesalite/db module kinesalite requires, idempotently', () => {
    expect(kinesaliteDb.parseSequence).toBe(original.parseSequence);
    installKinesaliteSpeedups();
    installKinesaliteSpeedups();
    expect(kinesaliteSpeedupsInstalled()).toBe(true);
    expect(kinesaliteDb.parseSequence).toBe(parseSequence);
    expect(kinesaliteDb.stringifySequence).toBe(stringifySequence);
    expect(kinesaliteDb.incrementSequence).toBe(incrementSequence);
    expect(kinesaliteDb.partitionKeyToHashKey).toBe(partitionKeyToHashKey);
    // The originals stay reachable (and are not the speedups).
    expect(kinesaliteOriginals().parseSequence).not.toBe(parseSequence);
    // kinesalite's action modules require the same instance ('../db').
    const fromActions = createRequire(
      createRequire(import.meta.url).resolve('kinesalite/actions/putRecords.js'),
    );
    expect(fromActions('../db')).toBe(kinesaliteDb);
  });

  it('uninstall puts the originals back', () => {
    installKinesaliteSpeedups();
    uninstallKinesaliteSpeedups();
    expect(kinesaliteSpeedupsInstalled()).toBe(false);
    expect(kinesaliteDb.partitionKeyToHashKey).toBe(original.partitionKeyToHashKey);
  });
});
