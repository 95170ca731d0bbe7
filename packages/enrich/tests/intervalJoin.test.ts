import { describe, expect, it } from 'vitest';
import { InMemoryJoinStore, IntervalJoin } from '../src/index.js';
import { T0, at, item, order, product } from './fixtures.js';

const products = new Map([[999900001, product(999900001, 'Oak Desk')]]);

describe('IntervalJoin', () => {
  it('emits one row when the item arrives after its order within the window', async () => {
    const join = new IntervalJoin({ products });
    const { rows, deadLetters } = await join.process([
      at(order(1), T0),
      at(item(1, 999900001), T0 + 1_000),
    ]);
    expect(deadLetters).toEqual([]);
    expect(rows).toEqual([
      expect.objectContaining({
        orderId: 1,
        itemId: 999900001,
        productName: 'Oak Desk',
        event_ts: T0 + 1_000,
        order_arrival_ts: T0,
        item_arrival_ts: T0 + 1_000,
      }),
    ]);
  });

  it('emits one row when the item arrives before its order (symmetric)', async () => {
    const join = new IntervalJoin({ products });
    const first = await join.process([at(item(1, 999900001), T0)]);
    const second = await join.process([at(order(1), T0 + 59_000)]);
    expect(first.rows).toEqual([]);
    expect(second.rows.map((r) => [r.orderId, r.itemId, r.event_ts])).toEqual([
      [1, 999900001, T0 + 59_000],
    ]);
  });

  it('sets productName to null for an unknown product and counts it', async () => {
    const join = new IntervalJoin({ products });
    const { rows } = await join.process([at(order(1), T0), at(item(1, 5), T0)]);
    expect(rows[0]?.productName).toBeNull();
    expect(join.stats.unknownProducts).toBe(1);
  });

  it('dead-letters an item whose order comes after the window', async () => {
    const store = new InMemoryJoinStore();
    const join = new IntervalJoin({ store, products });
    await join.process([at(item(1, 999900001), T0, 7)]);
    const late = await join.process([at(order(1), T0 + 60_001)]);
    const rest = await join.expire(T0 + 200_000);
    const letters = [...late.deadLetters, ...rest.deadLetters];
    expect(late.rows).toEqual([]);
    expect(letters).toEqual([
      expect.objectContaining({
        code: 'KSE_JOIN_UNMATCHED',
        position: 7,
        data: item(1, 999900001),
      }),
    ]);
    expect(join.stats).toMatchObject({ unmatchedItems: 1, expiredOrders: 1, unmatchedOrders: 1 });
    expect(store.size).toBe(0);
  });

  it('re-emits a byte-identical row for a redelivered item', async () => {
    const join = new IntervalJoin({ products });
    const first = await join.process([at(order(1), T0), at(item(1, 999900001), T0 + 10)]);
    const again = await join.process([at(item(1, 999900001), T0 + 10)]);
    expect(JSON.stringify(again.rows)).toBe(JSON.stringify(first.rows));
    expect(join.stats.duplicateItems).toBe(1);
  });
});
