import { describe, expect, it } from 'vitest';
import {
  OrderItemSchema,
  OrderSchema,
  ProductSchema,
  type Order,
  type OrderItem,
} from '@kse/schemas';
import { generateOrders, generateProducts, type OrderRecord } from '../src/index.js';

const cents = (amount: number): number => Math.round(amount * 100);

function groups(records: Iterable<OrderRecord>): { order: Order; items: OrderItem[] }[] {
  const result: { order: Order; items: OrderItem[] }[] = [];
  for (const record of records) {
    if (record.recordType === 'Order') result.push({ order: record, items: [] });
    else result.at(-1)!.items.push(record);
  }
  return result;
}

describe('generateProducts', () => {
  it('numbers products from 999900001 and validates every one against ProductSchema', () => {
    const products = [...generateProducts({ products: 500 })];
    expect(products).toHaveLength(500);
    products.forEach((product, i) => {
      expect(ProductSchema.parse(product)).toEqual(product);
      expect(product.productId).toBe(999_900_001 + i);
      expect(Number.isInteger(cents(product.productPrice))).toBe(true);
      expect(cents(product.productPrice) / 100).toBe(product.productPrice);
    });
  });

  it('does not depend on the order options', () => {
    const a = [...generateProducts({ products: 50, seed: 's' })];
    const b = [
      ...generateProducts({ products: 50, seed: 's', orders: 7, itemsPerOrder: 5, rate: 3 }),
    ];
    expect(b).toEqual(a);
  });

  it('is async-iterable too', async () => {
    const names: string[] = [];
    for await (const product of generateProducts({ products: 3 })) names.push(product.productName);
    expect(names).toEqual([...generateProducts({ products: 3 })].map((p) => p.productName));
  });
});

describe('generateOrders', () => {
  it('follows each order with its items, numbered from 10000001, every record schema-valid', () => {
    const records = [...generateOrders({ orders: 300, itemsPerOrder: 3 })];
    expect(records).toHaveLength(1200);
    records.forEach((record, i) => {
      if (i % 4 === 0) {
        expect(record.recordType).toBe('Order');
        expect(OrderSchema.parse(record)).toEqual(record);
        expect(record.orderId).toBe(10_000_001 + i / 4);
      } else {
        expect(record.recordType).toBe('OrderItem');
        expect(OrderItemSchema.parse(record)).toEqual(record);
        expect(record.orderId).toBe(records[i - (i % 4)]!.orderId);
      }
    });
  });

  it('draws distinct products within each order, even when every product is used', () => {
    for (const [products, itemsPerOrder] of [
      [1000, 2],
      [10, 9],
      [5, 5],
      [1, 1],
    ] as const) {
      for (const { items } of groups(generateOrders({ products, itemsPerOrder, orders: 500 }))) {
        const ids = items.map((item) => item.itemId);
        expect(new Set(ids).size).toBe(itemsPerOrder);
        for (const id of ids) expect(id - 999_900_001).toBeLessThan(products);
      }
    }
  });

  it('prices items from the catalogue and sums orderAmount exactly, in cents', () => {
    const prices = new Map(
      [...generateProducts({ products: 40 })].map((p) => [p.productId, p.productPrice]),
    );
    const orders = groups(
      generateOrders({ products: 40, orders: 2000, itemsPerOrder: 4, maxItemQuantity: 5 }),
    );
    const quantities = new Set<number>();
    for (const { order, items } of orders) {
      let sum = 0;
      for (const item of items) {
        quantities.add(item.itemQuantity);
        expect(cents(item.itemAmount)).toBe(cents(prices.get(item.itemId)!) * item.itemQuantity);
        sum += cents(item.itemAmount);
      }
      expect(cents(order.orderAmount)).toBe(sum);
      expect(order.orderAmount).toBe(sum / 100);
    }
    expect([...quantities].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('uses quantity 1 by default', () => {
    const items = [...generateOrders({ orders: 200 })].filter((r) => r.recordType === 'OrderItem');
    expect(new Set(items.map((item) => item.itemQuantity))).toEqual(new Set([1]));
  });

  it('advances orderDateTime from start at rate orders per second, items carrying their order time', () => {
    const orders = groups(
      generateOrders({ orders: 2001, rate: 250, start: '2025-12-31T23:59:59.000Z' }),
    );
    expect(orders[0]!.order.orderDateTime).toBe('2025-12-31T23:59:59.000Z');
    expect(orders[1]!.order.orderDateTime).toBe('2025-12-31T23:59:59.004Z');
    expect(orders[250]!.order.orderDateTime).toBe('2026-01-01T00:00:00.000Z');
    expect(orders[2000]!.order.orderDateTime).toBe('2026-01-01T00:00:07.000Z');
    for (const { order, items } of orders) {
      for (const item of items) expect(item.orderDateTime).toBe(order.orderDateTime);
    }
  });

  it('formats orderDateTime exactly as Date#toISOString for fractional rates', () => {
    for (const { order } of groups(generateOrders({ orders: 3000, rate: 333.3 }))) {
      expect(order.orderDateTime).toBe(new Date(Date.parse(order.orderDateTime)).toISOString());
    }
    const last = groups(generateOrders({ orders: 3000, rate: 333.3 })).at(-1)!.order;
    expect(last.orderDateTime).toBe(
      new Date(
        Date.parse('2026-01-01T00:00:00.000Z') + Math.floor((2999 * 1000) / 333.3),
      ).toISOString(),
    );
  });

  it('writes realistic US addresses, some names with non-ASCII letters', () => {
    const orders = groups(generateOrders({ orders: 2000 })).map((g) => g.order);
    for (const order of orders) {
      expect(order.shipToZip).toMatch(/^\d{5}$/);
      expect(order.shipToState).toMatch(/^[A-Z]{2}$/);
      expect(order.shipToAddress).toMatch(/^\d+ \S/);
      expect(order.shipToName).toMatch(/^\S+ \S+$/);
    }
    const nonAscii = orders.filter((order) => /[^\u0000-\u007f]/.test(order.shipToName));
    expect(nonAscii.length).toBeGreaterThan(50);
    expect(nonAscii.length).toBeLessThan(600);
  });

  it('gives the same records for the same seed and different ones for another seed', () => {
    const a = JSON.stringify([...generateOrders({ orders: 100, seed: 'x' })]);
    expect(JSON.stringify([...generateOrders({ orders: 100, seed: 'x' })])).toBe(a);
    expect(JSON.stringify([...generateOrders({ orders: 100, seed: 'y' })])).not.toBe(a);
  });
});
