import { describe, expect, it } from 'vitest';
import type { Order } from '@kse/schemas';
import { generateOrders, generateProducts } from '../src/index.js';
import { orderRecordLine, productLine } from '../src/serialize.js';

describe('hand-written serializers', () => {
  it('write orders and items byte-identical to JSON.stringify', () => {
    for (const seed of ['a', 'b']) {
      for (const record of generateOrders({ orders: 5000, seed, maxItemQuantity: 7, rate: 7.5 })) {
        const line = orderRecordLine(record);
        if (line !== JSON.stringify(record)) expect(line).toBe(JSON.stringify(record));
      }
    }
  });

  it('write products byte-identical to JSON.stringify', () => {
    for (const product of generateProducts({ products: 5000 })) {
      expect(productLine(product)).toBe(JSON.stringify(product));
    }
  });

  it('escape what JSON must escape', () => {
    const order: Order = {
      orderId: 1,
      orderAmount: 0.3,
      orderStatus: 'New',
      orderDateTime: '2026-01-01T00:00:00.000Z',
      shipToName: 'A "quoted" \\ name\n\u0001 Zoë \ud800',
      shipToAddress: '1 Main St',
      shipToCity: 'Coeur d’Alene',
      shipToState: 'ID',
      shipToZip: '83814',
      recordType: 'Order',
    };
    expect(orderRecordLine(order)).toBe(JSON.stringify(order));
    const product = { productId: 1, productName: 'Tab\there', productPrice: 1 };
    expect(productLine(product)).toBe(JSON.stringify(product));
  });
});
