import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OrderItemSchema, OrderSchema } from '../src/index.js';
import {
  fastOrder,
  fastOrderInPlace,
  fastOrderItem,
  fastOrderItemInPlace,
  isIsoInstant,
  isIsoInstantHandWritten,
} from '../src/fastValidate.js';
import { item, order } from './fixtures.js';

// What the schemas use for orderDateTime: the reference for the hand-written check.
const zodInstant = z.iso.datetime({ offset: true });
const zodAccepts = (text: string): boolean => zodInstant.safeParse(text).success;

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

describe('isIsoInstant', () => {
  it('is the hand-written check for the zod pattern it was written for', () => {
    expect(isIsoInstant).toBe(isIsoInstantHandWritten);
  });

  it('accepts exactly what zod accepts for instants built field by field', () => {
    fc.assert(
      fc.property(builtInstant, (text) => {
        expect(isIsoInstantHandWritten(text)).toBe(zodAccepts(text));
      }),
      { numRuns: 20_000, seed: 3 },
    );
  });

  it('accepts every valid instant, as zod does', () => {
    fc.assert(
      fc.property(validInstant, (text) => {
        expect(zodAccepts(text)).toBe(true);
        expect(isIsoInstantHandWritten(text)).toBe(true);
      }),
      { numRuns: 5_000, seed: 4 },
    );
  });

  it('accepts exactly what zod accepts for instants with one character changed', () => {
    fc.assert(
      fc.property(mutatedInstant, (text) => {
        expect(isIsoInstantHandWritten(text)).toBe(zodAccepts(text));
      }),
      { numRuns: 20_000, seed: 5 },
    );
  });

  it('accepts exactly what zod accepts for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (text) => {
        expect(isIsoInstantHandWritten(text)).toBe(zodAccepts(text));
      }),
      { numRuns: 5_000, seed: 9 },
    );
  });

  it('agrees with zod on February 28, 29 and 30 of every year 0000–9999', () => {
    const disagreements: string[] = [];
    for (let year = 0; year <= 9999; year += 1) {
      for (const day of ['28', '29', '30']) {
        const text = `${pad(year, 4)}-02-${day}T12:00:00Z`;
        if (isIsoInstantHandWritten(text) !== zodAccepts(text)) disagreements.push(text);
      }
    }
    expect(disagreements).toEqual([]);
    // The Gregorian rule, as zod applies it: 1900 and 2100 are not leap years, 2000 and 0000 are.
    expect(
      ['0000', '1600', '2000', '2024', '2400'].map((y) => isIsoInstant(`${y}-02-29T00:00:00Z`)),
    ).toEqual([true, true, true, true, true]);
    expect(
      ['1900', '2023', '2100', '2026'].map((y) => isIsoInstant(`${y}-02-29T00:00:00Z`)),
    ).toEqual([false, false, false, false]);
  });

  it('agrees with zod on every month 00–13 and day 00–32 of leap and common years', () => {
    const disagreements: string[] = [];
    for (const year of ['1900', '2000', '2023', '2024']) {
      for (let month = 0; month <= 13; month += 1) {
        for (let day = 0; day <= 32; day += 1) {
          const text = `${year}-${pad(month)}-${pad(day)}T00:00:00.000Z`;
          if (isIsoInstantHandWritten(text) !== zodAccepts(text)) disagreements.push(text);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('agrees with zod on every time 00–25:00–61:00–61 and every offset ±00–25:00–61', () => {
    const disagreements: string[] = [];
    for (let a = 0; a <= 25; a += 1) {
      for (let b = 0; b <= 61; b += 1) {
        const texts = [
          `2026-01-01T${pad(a)}:${pad(b)}:00Z`,
          `2026-01-01T00:${pad(a)}:${pad(b)}Z`,
          `2026-01-01T12:00:00+${pad(a)}:${pad(b)}`,
          `2026-01-01T12:00:00.5-${pad(a)}:${pad(b)}`,
        ];
        for (const text of texts) {
          if (isIsoInstantHandWritten(text) !== zodAccepts(text)) disagreements.push(text);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('takes any number of fraction digits but not a bare dot, and seconds are required', () => {
    const cases = [
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.1Z',
      '2026-01-01T00:00:00.123456789012Z',
      '2026-01-01T00:00:00.Z',
      '2026-01-01T00:00Z',
      '2026-01-01T00:00:00.5+05:30',
      '2026-01-01T00:00:00.5+05:30Z',
      '2026-01-01T00:00:00Z\n',
      '2026-01-01T00:00:00.1a2Z',
      '+02026-01-01T00:00:00Z',
    ];
    expect(cases.map(isIsoInstantHandWritten)).toEqual(cases.map(zodAccepts));
    expect(cases.map(isIsoInstantHandWritten)).toEqual([
      true,
      true,
      true,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
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

const ORDER_KEYS = Object.keys(OrderSchema.shape);
const ORDER_ITEM_KEYS = Object.keys(OrderItemSchema.shape);

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

  it('in place: accepts an order exactly when zod does, returning it uncopied only when zod would output the same keys in the same order', () => {
    fc.assert(
      fc.property(mutations(order), (record) => {
        const before = JSON.stringify(record);
        const fast = fastOrderInPlace(record);
        const slow = OrderSchema.safeParse(record);
        expect(fast !== undefined).toBe(slow.success);
        expect(JSON.stringify(record)).toBe(before);
        if (fast !== undefined) {
          expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
          expect(fast === record).toBe(
            JSON.stringify(Object.keys(record)) === JSON.stringify(ORDER_KEYS),
          );
        }
      }),
      { numRuns: 5000, seed: 13 },
    );
  });

  it('in place: accepts an item exactly when zod does, returning it uncopied only when zod would output the same keys in the same order', () => {
    fc.assert(
      fc.property(mutations(item), (record) => {
        const before = JSON.stringify(record);
        const fast = fastOrderItemInPlace(record);
        const slow = OrderItemSchema.safeParse(record);
        expect(fast !== undefined).toBe(slow.success);
        expect(JSON.stringify(record)).toBe(before);
        if (fast !== undefined) {
          expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
          expect(fast === record).toBe(
            JSON.stringify(Object.keys(record)) === JSON.stringify(ORDER_ITEM_KEYS),
          );
        }
      }),
      { numRuns: 5000, seed: 17 },
    );
  });

  it('in place: copies a valid record whose prototype adds an enumerable key', () => {
    const withProto = Object.assign(Object.create({ inherited: 1 }) as object, item);
    const fast = fastOrderItemInPlace(withProto);
    expect(fast).not.toBe(withProto);
    expect(fast).toEqual(item);
  });

  it('takes the fast path for the valid records the generator writes', () => {
    expect(fastOrder(order)).toEqual(order);
    expect(fastOrderItem(item)).toEqual(item);
    const parsedOrder = JSON.parse(JSON.stringify(order)) as Record<string, unknown>;
    const parsedItem = JSON.parse(JSON.stringify(item)) as Record<string, unknown>;
    expect(fastOrderInPlace(parsedOrder)).toBe(parsedOrder);
    expect(fastOrderItemInPlace(parsedItem)).toBe(parsedItem);
  });
});
