import { ENRICHED_FIELDS } from '@kse/schemas';
import { describe, expect, it } from 'vitest';
import { IntervalJoin, buildEnrichedRow } from '../src/index.js';
import { T0, at, item, order, product } from './fixtures.js';

// The rows are built by object literals (one per row, for speed); these tests pin their
// keys to the one list of the enriched row's fields, in its wire order.
describe('enriched rows', () => {
  it('buildEnrichedRow gives every field in ENRICHED_FIELDS order', () => {
    const row = buildEnrichedRow(order(1), item(1, 999900001), product(999900001, 'Oak Desk'), {
      eventTs: T0 + 1,
      orderArrivalTs: T0,
      itemArrivalTs: T0 + 1,
    });
    expect(Object.keys(row)).toEqual(ENRICHED_FIELDS);
  });

  it('buildEnrichedRow leaves out the arrival times it is not given, keeping the order', () => {
    const row = buildEnrichedRow(order(1), item(1, 999900001), null, { eventTs: T0 });
    expect(Object.keys(row)).toEqual(
      ENRICHED_FIELDS.filter(
        (field) => field !== 'order_arrival_ts' && field !== 'item_arrival_ts',
      ),
    );
  });

  it('IntervalJoin emits rows with every field in ENRICHED_FIELDS order', async () => {
    const join = new IntervalJoin({ products: new Map() });
    const { rows } = await join.process([at(order(1), T0), at(item(1, 999900001), T0 + 5)]);
    expect(rows.length).toBe(1);
    expect(Object.keys(rows[0]!)).toEqual(ENRICHED_FIELDS);
  });
});
