import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ENRICHED_FIELDS,
  ENRICHED_TRACE_FIELDS,
  EnrichedOrderItemSchema,
  type EnrichedField,
  type EnrichedOrderItem,
} from '../src/index.js';
import { enriched } from './fixtures.js';

describe('ENRICHED_FIELDS', () => {
  it('names exactly the fields of an enriched row', () => {
    expectTypeOf<EnrichedField>().toEqualTypeOf<keyof EnrichedOrderItem>();
    expect(new Set(ENRICHED_FIELDS).size).toBe(ENRICHED_FIELDS.length);
  });

  it('gives the schema its key order, so decoded rows come in wire order', () => {
    expect(Object.keys(EnrichedOrderItemSchema.shape)).toEqual(ENRICHED_FIELDS);
    const shuffled = Object.fromEntries(Object.entries(enriched).reverse());
    expect(Object.keys(EnrichedOrderItemSchema.parse(shuffled))).toEqual(ENRICHED_FIELDS);
  });

  it('counts event_ts and the arrival times as trace fields', () => {
    expect(ENRICHED_TRACE_FIELDS).toEqual(['event_ts', 'order_arrival_ts', 'item_arrival_ts']);
    for (const field of ENRICHED_TRACE_FIELDS) expect(ENRICHED_FIELDS).toContain(field);
  });
});
