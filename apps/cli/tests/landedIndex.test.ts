import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LandedIndex, numericRowKey, rowFingerprint } from '../src/run/landedIndex.js';
import { rowKey } from '../src/run/rowKey.js';

describe('numericRowKey', () => {
  it('is exact and one-to-one inside its range, undefined outside it', () => {
    expect(numericRowKey(1, 999900001)).toBe(2 ** 30 + 999900001);
    expect(numericRowKey(2 ** 23 - 1, 2 ** 30 - 1)).toBe(Number.MAX_SAFE_INTEGER);
    for (const [orderId, itemId] of [
      [2 ** 23, 1],
      [1, 2 ** 30],
      [-1, 1],
      [1, -1],
      [1.5, 1],
      [1, Number.NaN],
    ]) {
      expect(numericRowKey(orderId!, itemId!)).toBeUndefined();
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 23 - 1 }),
        fc.integer({ min: 0, max: 2 ** 30 - 1 }),
        (orderId, itemId) => {
          const key = numericRowKey(orderId, itemId)!;
          expect(Number.isSafeInteger(key)).toBe(true);
          expect([Math.floor(key / 2 ** 30), key % 2 ** 30]).toEqual([orderId, itemId]);
        },
      ),
    );
  });
});

describe('rowFingerprint', () => {
  it('is a 48-bit integer that tells different strings apart', () => {
    const a = rowFingerprint('[1,2,"x"]');
    expect(Number.isSafeInteger(a) && a >= 0 && a < 2 ** 48).toBe(true);
    expect(rowFingerprint('[1,2,"x"]')).toBe(a);
    expect(rowFingerprint('[1,2,"y"]')).not.toBe(a);
  });
});

describe('LandedIndex', () => {
  // Mostly keys in the numeric range, some outside it (strings), many repeats.
  const id = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 300 }) },
    { weight: 1, arbitrary: fc.constantFrom(2 ** 30, 2 ** 31 + 7, -3, 1.5) },
  );
  const op = fc.record({
    kind: fc.constantFrom('add', 'take'),
    orderId: id,
    itemId: id,
    fingerprint: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  });

  it('behaves as a Map from rowKey to fingerprint (add = set if absent, take = get + delete)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const index = new LandedIndex();
        const model = new Map<string, number>();
        for (const { kind, orderId, itemId, fingerprint } of ops) {
          const row = { orderId, itemId };
          const key = rowKey(row);
          if (kind === 'add') {
            expect(index.add(row, fingerprint)).toBe(!model.has(key));
            if (!model.has(key)) model.set(key, fingerprint);
          } else {
            expect(index.take(row)).toBe(model.get(key));
            model.delete(key);
          }
          expect(index.size).toBe(model.size);
        }
        expect(index.remainingKeys(Infinity).sort()).toEqual([...model.keys()].sort());
        expect(index.remainingKeys(2)).toHaveLength(Math.min(2, model.size));
      }),
      { numRuns: 200 },
    );
  });

  it('holds a hundred thousand rows and finds each one after growing', () => {
    const index = new LandedIndex();
    for (let orderId = 1; orderId <= 50_000; orderId += 1) {
      index.add({ orderId, itemId: 999900001 }, orderId);
      index.add({ orderId, itemId: 999900002 }, -orderId);
    }
    expect(index.size).toBe(100_000);
    for (let orderId = 50_000; orderId >= 1; orderId -= 1) {
      expect(index.take({ orderId, itemId: 999900002 })).toBe(-orderId);
    }
    expect(index.take({ orderId: 7, itemId: 999900002 })).toBeUndefined();
    expect(index.size).toBe(50_000);
    expect(index.remainingKeys(1)[0]).toMatch(/^\d+\/999900001$/);
  });
});
