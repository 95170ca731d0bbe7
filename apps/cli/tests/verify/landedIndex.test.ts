import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMPARED_FIELDS,
  canonicalRow,
  type ComparableRow,
} from '../../src/verify/comparableRow.js';
import { LandedIndex } from '../../src/verify/LandedIndex.js';
import { rowFingerprint } from '../../src/verify/rowFingerprint.js';
import { numericRowKey, rowKey } from '../../src/verify/rowKey.js';

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
  const base: ComparableRow = {
    orderId: 1,
    itemId: 999900001,
    orderAmount: 10.5,
    orderStatus: 'COMPLETE',
    orderDateTime: '2024-03-01T10:11:12.000Z',
    shipToName: 'Ada',
    shipToAddress: '1 Main St',
    shipToCity: 'Springfield',
    shipToState: 'IL',
    shipToZip: '62701',
    itemAmount: 2.25,
    itemQuantity: 3,
    itemStatus: 'SHIPPED',
    productName: 'Oak Desk',
  };
  // Values that are easy to confuse: a number and its digits as a string, 0 and -0, null
  // and a missing field, strings that differ by one character.
  const value = fc.constantFrom<unknown>(0, -0, 1, '1', '', 'a', 'ab', null, undefined);
  // Two fields of few values: equal rows are common (a tenth of the pairs).
  const near = fc
    .tuple(value, value)
    .map(([zip, name]) => ({ ...base, shipToZip: zip, productName: name }) as ComparableRow);
  // Up to four fields changed: rows that differ somewhere, mostly.
  const far = fc
    .dictionary(fc.constantFrom(...COMPARED_FIELDS), value, { maxKeys: 4 })
    .map((changes) => ({ ...base, ...changes }) as ComparableRow);

  it('is a 53-bit integer, equal for two rows exactly when their canonical strings are', () => {
    for (const rows of [near, far]) {
      fc.assert(
        fc.property(rows, rows, (x, y) => {
          const fx = rowFingerprint(x);
          expect(Number.isSafeInteger(fx) && fx >= 0).toBe(true);
          expect(fx === rowFingerprint(y)).toBe(canonicalRow(x) === canonicalRow(y));
        }),
        { numRuns: 3000 },
      );
    }
  });

  it('tells apart values that only differ in where one string ends and the next begins', () => {
    // Without the lengths, both would hash the same words (3 is also the tag of a string).
    const a = rowFingerprint({ ...base, shipToName: 'a\u0003b', shipToAddress: 'c' });
    expect(rowFingerprint({ ...base, shipToName: 'a', shipToAddress: 'b\u0003c' })).not.toBe(a);
    expect(rowFingerprint({ ...base, shipToName: 'a\u0003b', shipToAddress: 'c' })).toBe(a);
  });

  it('has no collisions among a million rows that differ in one field', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1_000_000; i += 1) seen.add(rowFingerprint({ ...base, orderId: i }));
    expect(seen.size).toBe(1_000_000);
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
