import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ENRICHED_FIELDS,
  EnrichedOrderItemSchema,
  OrderItemSchema,
  OrderSchema,
  validate,
} from '../src/index.js';
import { fastEnrichedOrderItem, fastOrder, fastOrderItem } from '../src/fastValidate.js';
import { enriched, item, order } from './fixtures.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

// Instants built field by field, each field often in range and sometimes just outside it.
const instantParts = fc.record({
  year: fc.oneof(
    fc.integer({ min: 0, max: 9999 }),
    fc.constantFrom(0, 4, 100, 400, 1900, 2000, 2024, 2026, 2100, 2400, 9996),
  ),
  month: fc.integer({ min: 0, max: 13 }),
  day: fc.integer({ min: 0, max: 32 }),
  hour: fc.integer({ min: 0, max: 25 }),
  minute: fc.integer({ min: 0, max: 61 }),
  second: fc.integer({ min: 0, max: 61 }),
  fraction: fc.oneof(fc.constant(''), fc.constant('.'), fc.stringMatching(/^\.\d{1,12}$/)),
  zone: fc.oneof(
    fc.constantFrom('Z', 'z', '', '+00:00', '-00:00', '+0530', '+05', 'UTC', 'Z ', ' Z'),
    fc
      .tuple(
        fc.constantFrom('+', '-', '−'),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
      )
      .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
  ),
  separator: fc.constantFrom('T', 'T', 'T', 't', ' '),
});

const builtInstant = instantParts.map(
  (p) =>
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}${p.separator}${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${p.fraction}${p.zone}`,
);

// Instants zod accepts: every field in range (days up to 28, so in every month).
const validInstant = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,9}$/)),
    zone: fc.oneof(
      fc.constant('Z'),
      fc
        .tuple(
          fc.constantFrom('+', '-'),
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: 0, max: 59 }),
        )
        .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
    ),
  })
  .map(
    (p) =>
      `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${p.fraction}${p.zone}`,
  );

// A valid instant with one character replaced, inserted or removed.
const mutatedInstant = fc
  .tuple(
    validInstant,
    fc.nat(),
    fc.constantFrom('0', '9', '-', ':', 'T', 'Z', '.', '+', ' ', '\n', '٣', '０', 'x', ''),
    fc.constantFrom('replace', 'insert'),
  )
  .map(([text, at, char, how]) => {
    const i = at % (text.length + 1);
    return how === 'replace'
      ? text.slice(0, i) + char + text.slice(i + 1)
      : text.slice(0, i) + char + text.slice(i);
  });

// Values that are sometimes right and often subtly wrong for each field.
const anyValue = fc.oneof(
  fc.integer({ min: -5, max: 20_000_000 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, Infinity, NaN),
  fc.string(),
  fc.constantFrom(
    '2026-01-01T00:00:00.000Z',
    '2026-01-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2024-02-29T23:59:59.999+05:30',
    '2026-13-01T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00.Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01',
  ),
  builtInstant,
  mutatedInstant,
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
);

// The base record patched (fields changed, `extra` added), some keys deleted, keys
// sometimes reordered.
function mutations<T extends Record<string, unknown>>(base: T) {
  const keys = [...Object.keys(base), 'extra'];
  return fc
    .tuple(
      fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 4 }),
      fc.subarray(Object.keys(base), { maxLength: 1 }),
      fc.oneof(fc.constant(false), fc.constant(false), fc.boolean()),
      fc.nat(),
    )
    .map(([patch, deleted, reorder, rotation]) => {
      const patched: Record<string, unknown> = { ...base, ...patch };
      for (const key of deleted) delete patched[key];
      if (!reorder) return patched;
      const entries = Object.entries(patched);
      const by = rotation % Math.max(1, entries.length);
      return Object.fromEntries([...entries.slice(by), ...entries.slice(0, by)]);
    });
}

describe('fast validation', () => {
  it('accepts an order exactly when zod accepts it, with the same output', () => {
    fc.assert(
      fc.property(mutations(order), (record) => {
        const fast = fastOrder(record);
        const slow = OrderSchema.safeParse(record);
        expect(fast !== undefined).toBe(slow.success);
        if (fast !== undefined) {
          expect(fast).not.toBe(record);
          expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
        }
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('accepts an item exactly when zod accepts it, with the same output', () => {
    fc.assert(
      fc.property(mutations(item), (record) => {
        const fast = fastOrderItem(record);
        const slow = OrderItemSchema.safeParse(record);
        expect(fast !== undefined).toBe(slow.success);
        if (fast !== undefined) {
          expect(fast).not.toBe(record);
          expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
        }
      }),
      { numRuns: 5000, seed: 11 },
    );
  });

  it('accepts an enriched row exactly when zod accepts it, with the same output', () => {
    const rows = [
      enriched,
      { ...enriched, productName: null, event_ts: '2026-01-01T00:00:00.000+01:00' },
      { ...enriched, order_arrival_ts: undefined, item_arrival_ts: 0 },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...rows).chain(mutations), (record) => {
        const fast = fastEnrichedOrderItem(record);
        const slow = EnrichedOrderItemSchema.safeParse(record);
        // Every row zod accepts, but for an arrival key present with the value undefined.
        const keptUndefined = ['order_arrival_ts', 'item_arrival_ts'].some(
          (key) => key in record && record[key] === undefined,
        );
        expect(fast !== undefined).toBe(slow.success && !keptUndefined);
        if (fast !== undefined) {
          expect(fast).not.toBe(record);
          // Entries, not JSON: a key present with the value undefined must match too.
          expect(Object.entries(fast)).toEqual(Object.entries(slow.data!));
        }
        // Through validate, which takes the fast path and falls back to zod.
        if (slow.success)
          expect(Object.entries(validate(EnrichedOrderItemSchema, record))).toEqual(
            Object.entries(slow.data),
          );
        else expect(() => validate(EnrichedOrderItemSchema, record)).toThrow();
      }),
      { numRuns: 5000, seed: 13 },
    );
  });

  it('answers as zod for every instant, whatever instants it checked before', () => {
    // The check remembers the last instant it accepted (an item repeats its order's date):
    // sequences drawn from a small pool, so that values repeat, valid and invalid alike.
    const pool = fc.array(fc.oneof(validInstant, mutatedInstant, builtInstant, fc.constant('')), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(
        pool.chain((instants) =>
          fc.array(fc.constantFrom(...instants), { minLength: 1, maxLength: 12 }),
        ),
        (sequence) => {
          for (const orderDateTime of sequence) {
            const asItem = { ...item, orderDateTime };
            const asOrder = { ...order, orderDateTime };
            expect(fastOrderItem(asItem) !== undefined).toBe(
              OrderItemSchema.safeParse(asItem).success,
            );
            expect(fastOrder(asOrder) !== undefined).toBe(OrderSchema.safeParse(asOrder).success);
          }
        },
      ),
      { numRuns: 1000, seed: 17 },
    );
  });

  it('builds an enriched row with its fields in ENRICHED_FIELDS order', () => {
    // Shuffled input: the order comes from the fast path's object literal, pinned here.
    const shuffled = Object.fromEntries(Object.entries(enriched).reverse());
    expect(Object.keys(fastEnrichedOrderItem(shuffled)!)).toEqual(ENRICHED_FIELDS);
  });

  it('takes the fast path for the valid records the generator writes', () => {
    expect(fastOrder(order)).toEqual(order);
    expect(fastOrderItem(item)).toEqual(item);
    expect(fastEnrichedOrderItem(enriched)).toEqual(enriched);
  });
});
