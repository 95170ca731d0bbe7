import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderItemSchema, OrderSchema } from '../src/index.js';
import { fastOrder, fastOrderItem } from '../src/fastValidate.js';
import { item, order } from './fixtures.js';

// Values that are sometimes right and often subtly wrong for each field.
const anyValue = fc.oneof(
  fc.integer({ min: -5, max: 20_000_000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 1.5, Number.MAX_SAFE_INTEGER + 1, Infinity, NaN),
  fc.string(),
  fc.constantFrom(
    '2026-01-01T00:00:00.000Z',
    '2026-01-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2024-02-29T23:59:59.999+05:30',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01',
  ),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
);

function mutations<T extends Record<string, unknown>>(base: T) {
  return fc
    .dictionary(fc.constantFrom(...Object.keys(base), 'extra'), anyValue, { maxKeys: 4 })
    .map((patch) => ({ ...base, ...patch }) as Record<string, unknown>);
}

describe('fast validation', () => {
  it('accepts an order only when zod accepts it, with the same output', () => {
    fc.assert(
      fc.property(mutations(order), (record) => {
        const fast = fastOrder(record);
        const slow = OrderSchema.safeParse(record);
        if (fast !== undefined) {
          expect(slow.success).toBe(true);
          expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('accepts an item only when zod accepts it, with the same output', () => {
    fc.assert(
      fc.property(mutations(item), (record) => {
        const fast = fastOrderItem(record);
        const slow = OrderItemSchema.safeParse(record);
        if (fast !== undefined) {
          expect(slow.success).toBe(true);
          expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
        }
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('takes the fast path for the valid records the generator writes', () => {
    expect(fastOrder(order)).toEqual(order);
    expect(fastOrderItem(item)).toEqual(item);
  });
});
