import fc from 'fast-check';
import { FIRST_ORDER_ID, FIRST_PRODUCT_ID } from '@kse/schemas';
import { describe, expect, it } from 'vitest';
import {
  COMPARED_FIELDS,
  canonicalRow,
  type ComparableRow,
} from '../../src/verify/comparableRow.js';
import { LandedIndex } from '../../src/verify/LandedIndex.js';
import { rowFingerprint } from '../../src/verify/rowFingerprint.js';
import { rowKey } from '../../src/verify/rowKey.js';

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
  // Mostly small ids (many repeats), some large or negative, some that are not safe
  // integers (held by string), 0 and -0 (one key, as in a Map).
  const id = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 300 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(2 ** 30, 2 ** 31 + 7, 2 ** 52 + 1, -3, -0, 1.5, 2 ** 60),
    },
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

  it("holds a hundred thousand of kse generate's rows by number and finds each after growing", () => {
    // Generated ids need 54 bits together: too many for one number, not for two.
    const index = new LandedIndex();
    const last = FIRST_ORDER_ID + 50_000;
    for (let orderId = FIRST_ORDER_ID; orderId < last; orderId += 1) {
      index.add({ orderId, itemId: FIRST_PRODUCT_ID }, orderId);
      index.add({ orderId, itemId: FIRST_PRODUCT_ID + 1 }, -orderId);
    }
    expect(index.size).toBe(100_000);
    expect(index.stringKeyed).toBe(0);
    for (let orderId = last - 1; orderId >= FIRST_ORDER_ID; orderId -= 1) {
      expect(index.take({ orderId, itemId: FIRST_PRODUCT_ID + 1 })).toBe(-orderId);
    }
    expect(index.take({ orderId: FIRST_ORDER_ID, itemId: FIRST_PRODUCT_ID + 1 })).toBeUndefined();
    expect(index.size).toBe(50_000);
    expect(index.remainingKeys(1)[0]).toMatch(new RegExp(`^\\d+/${FIRST_PRODUCT_ID}$`));
  });
});
