import fc from 'fast-check';
import type { Order, OrderItem } from '@kse/schemas';
import { describe, expect, it } from 'vitest';
import { emptyExpectedStats } from '../../src/verify/expectedStats.js';
import { LastWrites } from '../../src/verify/lastWrites.js';
import { rowKey } from '../../src/verify/rowKey.js';

const order = (orderId: number, version: number): Order =>
  ({
    recordType: 'Order',
    orderId,
    orderAmount: version,
    orderStatus: 'New',
    orderDateTime: '2026-01-01T00:00:00.000Z',
    shipToName: 'Ada',
    shipToAddress: '1 Main St',
    shipToCity: 'Springfield',
    shipToState: 'IL',
    shipToZip: '62701',
  }) as Order;
const item = (orderId: number, itemId: number, version: number): OrderItem =>
  ({
    recordType: 'OrderItem',
    orderId,
    itemId,
    itemQuantity: 1,
    itemAmount: version,
    itemStatus: 'Ready',
    orderDateTime: '2026-01-01T00:00:00.000Z',
  }) as OrderItem;

describe('LastWrites', () => {
  // Few orders, from a handful of items up to many (past the scan, into the map), -0 and 0
  // as one id; every record a new version, so that a wrong pick shows.
  const record = fc.record({
    order: fc.boolean(),
    orderId: fc.constantFrom(1, 2, 10_000_001),
    itemId: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-0)),
  });

  it('gives each item key its last copy joined to its order’s last copy, as a model does', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 150, maxLength: 400 }), (records) => {
        const writes = new LastWrites();
        const orders = new Map<number, Order>();
        const items = new Map<string, OrderItem>();
        let repeated = 0;
        records.forEach((r, version) => {
          if (r.order) {
            const copy = order(r.orderId, version);
            if (orders.has(r.orderId)) repeated += 1;
            orders.set(r.orderId, copy);
            writes.add(copy);
          } else {
            const copy = item(r.orderId, r.itemId, version);
            if (items.has(rowKey(copy))) repeated += 1;
            items.set(rowKey(copy), copy);
            writes.add(copy);
          }
        });
        const names = new Map([[3, 'Desk']]);
        const stats = emptyExpectedStats();
        const rows = [...writes.rows(names, stats)];
        const wanted = [...items.values()].filter((i) => orders.has(i.orderId));
        expect(writes.repeated).toBe(repeated);
        expect(writes.rowCount()).toBe(wanted.length);
        expect(stats.orphanItems).toBe(items.size - wanted.length);
        expect(rows.map((row) => rowKey(row)).sort()).toEqual(wanted.map((i) => rowKey(i)).sort());
        for (const want of wanted) {
          const row = writes.row(want.orderId, want.itemId, names)!;
          expect(row.itemAmount).toBe(want.itemAmount);
          expect(row.orderAmount).toBe(orders.get(want.orderId)!.orderAmount);
          expect(row.productName).toBe(want.itemId === 3 ? 'Desk' : null);
          expect(rows).toContainEqual(row);
        }
        expect(writes.row(1, 41, names)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
