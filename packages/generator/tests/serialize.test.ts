import { describe, expect, it } from 'vitest';
import { generateOrders, generateProducts, resolveGeneratorOptions } from '../src/index.js';
import { orderLinesOf } from '../src/records.js';
import { productLine } from '../src/serialize.js';

describe('hand-written serializers', () => {
  it('write order lines straight from the draws, byte-identical to JSON.stringify of the records', () => {
    for (const options of [
      { orders: 5000, seed: 'a' },
      { orders: 3000, seed: 'b', maxItemQuantity: 9, itemsPerOrder: 4, products: 6, rate: 7.5 },
      { orders: 100, orderStartId: 1, productStartId: 42, start: '1999-12-31T23:59:59.990Z' },
    ]) {
      const records = [...generateOrders(options)];
      const lines = [...orderLinesOf(resolveGeneratorOptions(options))];
      expect(lines).toHaveLength(records.length);
      lines.forEach((line, i) => {
        if (line !== JSON.stringify(records[i])) expect(line).toBe(JSON.stringify(records[i]));
      });
    }
  });

  it('write products byte-identical to JSON.stringify', () => {
    for (const product of generateProducts({ products: 5000 })) {
      expect(productLine(product)).toBe(JSON.stringify(product));
    }
  });

  it('escape what JSON must escape', () => {
    for (const productName of [
      'A "quoted" \\ name',
      'Tab\there\n',
      '\u0001 Zoë \ud800',
      'Coeur d’Alene',
    ]) {
      const product = { productId: 1, productName, productPrice: 0.3 };
      expect(productLine(product)).toBe(JSON.stringify(product));
    }
  });
});
