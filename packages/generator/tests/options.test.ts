import { describe, expect, it } from 'vitest';
import { generateOrders, resolveGeneratorOptions, type GeneratorError } from '../src/index.js';

function optionError(run: () => unknown): GeneratorError {
  try {
    run();
  } catch (error) {
    return error as GeneratorError;
  }
  throw new Error('expected an error');
}

describe('resolveGeneratorOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveGeneratorOptions()).toEqual({
      products: 1000,
      orders: 10_000,
      itemsPerOrder: 2,
      maxItemQuantity: 1,
      seed: 'kse',
      start: '2026-01-01T00:00:00.000Z',
      startMs: Date.parse('2026-01-01T00:00:00.000Z'),
      rate: 1000,
      productStartId: 999_900_001,
      orderStartId: 10_000_001,
    });
  });

  it.each([
    ['orders', { orders: -1 }],
    ['products', { products: 1.5 }],
    ['orders', { orders: Number.NaN }],
    ['itemsPerOrder', { itemsPerOrder: 0 }],
    ['itemsPerOrder', { products: 3, itemsPerOrder: 4 }],
    ['rate', { rate: 0 }],
    ['start', { start: 'yesterday' }],
    ['start', { start: '2026-01-01' }],
    ['orderStartId', { orderStartId: 0 }],
    ['maxItemQuantity', { maxItemQuantity: 1001 }],
  ] as const)(
    'rejects a bad %s with KSE_GENERATOR_OPTION_INVALID naming it (%o)',
    (option, bad) => {
      const error = optionError(() => resolveGeneratorOptions(bad));
      expect(error.code).toBe('KSE_GENERATOR_OPTION_INVALID');
      expect(error.option).toBe(option);
      expect(error.message).toContain(`${option}:`);
    },
  );

  it('validates when the generator is created, not when it is iterated', () => {
    expect(() => generateOrders({ orders: -5 })).toThrow(/orders: must be ≥ 0/);
  });
});
