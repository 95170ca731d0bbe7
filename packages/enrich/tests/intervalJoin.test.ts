import { describe, expect, it } from 'vitest';
import { InMemoryJoinStore, IntervalJoin } from '../src/index.js';
import { T0, at, committed, item, order, product } from './fixtures.js';

const products = new Map([[999900001, product(999900001, 'Oak Desk')]]);

describe('IntervalJoin', () => {
  it('emits one row when the item arrives after its order within the window', async () => {
    const join = new IntervalJoin({ products });
    const { rows, deadLetters } = await committed(
      join.process([at(order(1), T0), at(item(1, 999900001), T0 + 1_000)]),
    );
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
    const first = await committed(join.process([at(item(1, 999900001), T0)]));
    const second = await committed(join.process([at(order(1), T0 + 59_000)]));
    expect(first.rows).toEqual([]);
    expect(second.rows.map((r) => [r.orderId, r.itemId, r.event_ts])).toEqual([
      [1, 999900001, T0 + 59_000],
    ]);
  });

  it('sets productName to null for an unknown product and counts it', async () => {
    const join = new IntervalJoin({ products });
    const { rows } = await committed(join.process([at(order(1), T0), at(item(1, 5), T0)]));
    expect(rows[0]?.productName).toBeNull();
    expect(join.stats.unknownProducts).toBe(1);
  });

  it('dead-letters an item whose order comes after the window, and then that order', async () => {
    const store = new InMemoryJoinStore();
    const join = new IntervalJoin({ store, products });
    await committed(join.process([at(item(1, 999900001), T0, 7)]));
    const late = await committed(join.process([at(order(1), T0 + 60_001, 8)]));
    const rest = await committed(join.expire(T0 + 200_000));
    const letters = [...late.deadLetters, ...rest.deadLetters];
    expect(late.rows).toEqual([]);
    // One key: its order's dead letter comes before its items'.
    expect(letters).toEqual([
      expect.objectContaining({ code: 'KSE_JOIN_UNMATCHED_ORDER', position: 8, data: order(1) }),
      expect.objectContaining({
        code: 'KSE_JOIN_UNMATCHED',
        position: 7,
        data: item(1, 999900001),
      }),
    ]);
    expect(join.stats).toMatchObject({ unmatchedItems: 1, expiredOrders: 1, unmatchedOrders: 1 });
    expect(store.size).toBe(0);
  });

  it('gives all state back on clear(), and a join on the cleared store starts from nothing', async () => {
    const store = new InMemoryJoinStore();
    const join = new IntervalJoin({ store, products });
    for (let orderId = 1; orderId <= 20_000; orderId += 1) {
      await committed(join.process([at(order(orderId), T0), at(item(orderId, 999900001), T0)]));
    }
    // Unfinished work is dropped too: a batch not committed.
    await join.process([at(order(30_001), T0)]);
    expect(store.size).toBe(20_001);
    store.clear();
    expect(store.size).toBe(0);
    expect(await store.all()).toEqual([]);
    expect(store.committedMeta.maxTime).toBeUndefined();
    // An item of a held order would have joined; on the cleared store it waits alone.
    const fresh = new IntervalJoin({ store, products });
    const after = await committed(fresh.process([at(item(7, 999900001), T0 + 5)]));
    expect(after.rows).toEqual([]);
    expect(store.size).toBe(1);
    const joined = await committed(fresh.process([at(order(7), T0 + 6)]));
    expect(joined.rows).toHaveLength(1);
  });

  it('re-emits a byte-identical row for a redelivered item', async () => {
    const join = new IntervalJoin({ products });
    const first = await committed(
      join.process([at(order(1), T0), at(item(1, 999900001), T0 + 10)]),
    );
    const again = await committed(join.process([at(item(1, 999900001), T0 + 10)]));
    expect(JSON.stringify(again.rows)).toBe(JSON.stringify(first.rows));
    expect(join.stats.duplicateItems).toBe(1);
  });
});

describe('IntervalJoin: state follows output', () => {
  // The scenario: item in batch 1; its order and a record 10 minutes later in
  // batch 2, whose outputs fail once; the retry must emit the pair's row.
  const scenario = (store?: InMemoryJoinStore) => {
    const join = new IntervalJoin({ products, ...(store ? { store } : {}) });
    const batch2 = [at(order(1), T0 + 5_000, 'o1'), at(order(2), T0 + 600_000, 'o2')];
    return { join, batch2 };
  };

  it('a batch that is not committed is undone: its retry emits the same rows, byte for byte', async () => {
    const { join, batch2 } = scenario();
    await committed(join.process([at(item(1, 999900001), T0, 'i1')]));
    const failed = await join.process(batch2); // its PutRecords fails: no commit
    expect(failed.rows).toHaveLength(1);
    const retry = await committed(join.process(batch2));
    expect(JSON.stringify(retry.rows)).toBe(JSON.stringify(failed.rows));
    expect(JSON.stringify(retry.deadLetters)).toBe(JSON.stringify(failed.deadLetters));
    expect(join.stats).toMatchObject({ rows: 1, orders: 2, items: 1, discardedBatches: 1 });
  });

  it('rowInputs names the record that completed each pair; the prefix before a failed one gives the same rows', async () => {
    const join = new IntervalJoin({ products });
    await committed(join.process([at(item(1, 999900001), T0, 'i1')]));
    const batch = [
      at(order(2), T0 + 1, 'o2'),
      at(order(1), T0 + 2, 'o1'), // completes (1, 999900001), held since the last batch
      at(item(2, 999900001), T0 + 3, 'i2a'),
      at(item(3, 5), T0 + 4, 'i3'),
      at(item(2, 7), T0 + 5, 'i2b'),
    ];
    const full = await join.process(batch);
    expect(full.rows.map((r) => [r.orderId, r.itemId])).toEqual([
      [1, 999900001],
      [2, 999900001],
      [2, 7],
    ]);
    expect(full.rowInputs).toEqual([1, 2, 4]);
    // The row of record 4 failed: the records before it are committed, with their rows.
    await full.discard();
    const prefix = await committed(join.process(batch.slice(0, 4)));
    expect(JSON.stringify(prefix.rows)).toBe(JSON.stringify(full.rows.slice(0, 2)));
    expect(prefix.rowInputs).toEqual([1, 2]);
    const rest = await committed(join.process(batch.slice(4)));
    expect(JSON.stringify(rest.rows)).toBe(JSON.stringify(full.rows.slice(2)));
    expect(rest.rowInputs).toEqual([0]);
    expect((await join.sweep(T0 + 10)).rowInputs).toEqual([]);
  });

  it('a join rebuilt on the same store starts from what was committed (a crash before the commit)', async () => {
    const store = new InMemoryJoinStore();
    const first = scenario(store);
    await committed(first.join.process([at(item(1, 999900001), T0, 'i1')]));
    const lost = await first.join.process(first.batch2); // outputs sent, then the process dies
    const second = new IntervalJoin({ store, products });
    const retry = await committed(second.process(first.batch2));
    expect(JSON.stringify(retry.rows)).toBe(JSON.stringify(lost.rows));
    expect(store.size).toBe(1); // order 2, waiting
    await expect(lost.commit()).rejects.toMatchObject({ code: 'KSE_JOIN_BATCH_SUPERSEDED' });
  });

  it('undoes every kind of change: new keys, changed keys, matched marks, expiry, the clock', async () => {
    const store = new InMemoryJoinStore({ bucketMs: 10 });
    const join = new IntervalJoin({ store, products, windowMs: 1_000 });
    await committed(
      join.process([
        at(order(1), T0),
        at(item(2, 999900001), T0 + 100),
        at(order(3), T0 + 200),
        at(item(3, 7), T0 + 250),
      ]),
    );
    const before = await store.get([1, 2, 3, 4]);
    // Matches order 1, changes key 3, adds key 4, expires keys 1 and 2 (and 3's order).
    const pending = await join.process([
      at(item(1, 999900001), T0 + 900),
      at(item(3, 999900001), T0 + 950),
      at(order(4), T0 + 1_260),
    ]);
    expect(pending.rows.map((r) => `${r.orderId}/${r.itemId}`)).toEqual([
      '1/999900001',
      '3/999900001',
    ]);
    await pending.discard();
    const after = await store.get([1, 2, 3, 4]);
    expect(after).toEqual(before);
    // The retry from the state before gives the same outputs.
    const retry = await committed(
      join.process([
        at(item(1, 999900001), T0 + 900),
        at(item(3, 999900001), T0 + 950),
        at(order(4), T0 + 1_260),
      ]),
    );
    expect(JSON.stringify(retry.rows)).toBe(JSON.stringify(pending.rows));
    expect(JSON.stringify(retry.deadLetters)).toBe(JSON.stringify(pending.deadLetters));
  });
});

describe('IntervalJoin: duplicates', () => {
  it('an order with other attributes replaces the held one and re-emits its pairs (last write wins)', async () => {
    const join = new IntervalJoin({ products });
    await committed(join.process([at(order(1), T0, 'o1'), at(item(1, 999900001), T0 + 10)]));
    const update = await committed(
      join.process([at(order(1, { orderStatus: 'Shipped' }), T0 + 20_000, 'o1b')]),
    );
    expect(update.rows).toEqual([
      expect.objectContaining({
        orderId: 1,
        orderStatus: 'Shipped',
        // The first copy's times stay: the pair and its event_ts do not move.
        event_ts: T0 + 10,
        order_arrival_ts: T0,
      }),
    ]);
    expect(join.stats).toMatchObject({ updatedOrders: 1, duplicateOrders: 0 });
  });

  it('an item with other attributes replaces the held one: its row carries them, and it is not dead-lettered', async () => {
    const join = new IntervalJoin({ products });
    await committed(join.process([at(item(1, 999900001), T0, 'i1')]));
    await committed(join.process([at(item(1, 999900001, { itemQuantity: 3 }), T0 + 1_000, 'i1b')]));
    const matched = await committed(join.process([at(order(1), T0 + 30_000)]));
    expect(matched.rows.map((r) => [r.itemQuantity, r.item_arrival_ts])).toEqual([[3, T0]]);
    const unmatched = new IntervalJoin({ products });
    await committed(unmatched.process([at(item(2, 999900001), T0, 'i2')]));
    await committed(
      unmatched.process([at(item(2, 999900001, { itemStatus: 'Cancelled' }), T0 + 1, 'i2b')]),
    );
    const rest = await committed(unmatched.flush());
    expect(rest.deadLetters).toEqual([
      expect.objectContaining({
        code: 'KSE_JOIN_UNMATCHED',
        position: 'i2b',
        data: item(2, 999900001, { itemStatus: 'Cancelled' }),
      }),
    ]);
  });
});

describe('IntervalJoin.sweep', () => {
  // Expiry buckets of 1 ms: the in-memory store finds expiring keys per whole bucket.
  const store = () => new InMemoryJoinStore({ bucketMs: 1 });

  it('with arrival time, expires against the wall clock on a shard without traffic', async () => {
    const join = new IntervalJoin({ store: store(), products, windowMs: 1_000 });
    await committed(join.process([at(item(1, 999900001), T0, 'i1')]));
    expect((await committed(join.sweep(T0 + 1_000))).deadLetters).toEqual([]);
    const swept = await committed(join.sweep(T0 + 1_001));
    expect(swept.deadLetters.map((l) => [l.code, l.position])).toEqual([
      ['KSE_JOIN_UNMATCHED', 'i1'],
    ]);
  });

  it('with event time, moves the join time on at the wall clock pace since the last arrival', async () => {
    const join = new IntervalJoin({
      store: store(),
      products,
      windowMs: 1_000,
      time: 'event',
      allowedLatenessMs: 0,
    });
    // Event time one hour behind arrival time (a replay of older data).
    const arrival = T0 + 3_600_000;
    await committed(join.process([at(item(1, 999900001), arrival, 'i1')]));
    expect((await committed(join.sweep(arrival + 1_000))).deadLetters).toEqual([]);
    const swept = await committed(join.sweep(arrival + 1_001));
    expect(swept.deadLetters.map((l) => l.position)).toEqual(['i1']);
  });

  it('a sweep whose dead letters were not acknowledged is undone, and the next sweep sends them again', async () => {
    const join = new IntervalJoin({ products, windowMs: 1_000 });
    await committed(join.process([at(item(1, 999900001), T0, 'i1')]));
    const failed = await join.sweep(T0 + 5_000);
    const again = await committed(join.sweep(T0 + 5_000));
    expect(JSON.stringify(again.deadLetters)).toBe(JSON.stringify(failed.deadLetters));
    expect(again.deadLetters).toHaveLength(1);
    expect((await committed(join.sweep(T0 + 9_000))).deadLetters).toEqual([]);
  });
});

describe('IntervalJoin: reshard', () => {
  it('a child takes over the keys it owns from its finished parent, and the parent keeps the rest', async () => {
    const parentStore = new InMemoryJoinStore();
    const parent = new IntervalJoin({ store: parentStore, products });
    await committed(parent.process([at(order(1), T0, 'o1'), at(order(2), T0 + 1, 'o2')]));
    const odd = new IntervalJoin({
      products,
      parents: () => [{ store: parentStore, owns: (id) => id % 2 === 1 }],
    });
    const pending = await odd.process([at(item(1, 999900001), T0 + 2_000)]);
    expect(pending.rows.map((r) => r.orderId)).toEqual([1]);
    expect(parentStore.size).toBe(2); // nothing moves before the commit
    await pending.commit();
    expect([...(await parentStore.get([1, 2])).states.keys()]).toEqual([2]);
    expect(odd.stats.adoptedKeys).toBe(1);
  });
});
