import { DEFAULT_GENERATOR_OPTIONS } from './constants.js';
import { GeneratorError } from './errors.js';

/** Options of the record generators; every field has a default in {@link DEFAULT_GENERATOR_OPTIONS}. */
export interface GeneratorOptions {
  /** Number of products (catalogue size). Default 1000. */
  products: number;
  /** Number of orders. Default 10000. */
  orders: number;
  /** Items per order, each a distinct product; at most `products`. Default 2. */
  itemsPerOrder: number;
  /** Each item's quantity is drawn from 1..maxItemQuantity. Default 1 (always 1). */
  maxItemQuantity: number;
  /** Seed of every random draw; same seed and options ⇒ same records. Default `"kse"`. */
  seed: string;
  /** ISO-8601 instant of the first order's `orderDateTime`. Default 2026-01-01T00:00:00.000Z. */
  start: string;
  /** Orders per second of event time: order `i` is at `start + floor(i × 1000 / rate)` ms. Default 1000. */
  rate: number;
  /** Id of the first product. Default 999900001. */
  productStartId: number;
  /** Id of the first order. Default 10000001. */
  orderStartId: number;
}

/** Validated generator options, with the start instant in ms. */
export interface ResolvedGeneratorOptions extends GeneratorOptions {
  startMs: number;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_DATE_MS = Date.parse('9999-12-31T23:59:59.999Z');

function invalid(option: string, message: string): GeneratorError {
  return new GeneratorError('KSE_GENERATOR_OPTION_INVALID', message, { option });
}

function integer(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalid(option, `must be an integer, got ${JSON.stringify(value) ?? String(value)}`);
  }
  if (value < min) throw invalid(option, `must be ≥ ${min}, got ${value}`);
  return value;
}

/**
 * Merges `options` with {@link DEFAULT_GENERATOR_OPTIONS} and validates the result.
 * Throws `KSE_GENERATOR_OPTION_INVALID` naming the first bad option.
 */
export function resolveGeneratorOptions(
  options: Partial<GeneratorOptions> = {},
): ResolvedGeneratorOptions {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<GeneratorOptions>;
  const merged = { ...DEFAULT_GENERATOR_OPTIONS, ...defined };
  const products = integer('products', merged.products, 0);
  const orders = integer('orders', merged.orders, 0);
  const itemsPerOrder = integer('itemsPerOrder', merged.itemsPerOrder, 1);
  const maxItemQuantity = integer('maxItemQuantity', merged.maxItemQuantity, 1);
  if (maxItemQuantity > 1000)
    throw invalid('maxItemQuantity', `must be ≤ 1000, got ${maxItemQuantity}`);
  const productStartId = integer('productStartId', merged.productStartId, 1);
  const orderStartId = integer('orderStartId', merged.orderStartId, 1);
  if (!Number.isSafeInteger(productStartId + products)) {
    throw invalid('productStartId', 'the last product id would not be a safe integer');
  }
  if (!Number.isSafeInteger(orderStartId + orders)) {
    throw invalid('orderStartId', 'the last order id would not be a safe integer');
  }
  if (orders > 0 && itemsPerOrder > products) {
    throw invalid(
      'itemsPerOrder',
      `${itemsPerOrder} items per order need at least ${itemsPerOrder} distinct products, but products is ${products}`,
    );
  }
  if (typeof merged.seed !== 'string') throw invalid('seed', 'must be a string');
  const rate = merged.rate;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw invalid('rate', `must be a number > 0, got ${String(rate)}`);
  }
  const start = merged.start;
  const startMs = typeof start === 'string' && ISO_INSTANT.test(start) ? Date.parse(start) : NaN;
  if (!Number.isFinite(startMs) || startMs < 0) {
    throw invalid(
      'start',
      `must be an ISO-8601 instant with a zone after 1970, e.g. 2026-01-01T00:00:00.000Z, got ${String(start)}`,
    );
  }
  const endMs = startMs + Math.floor((Math.max(orders - 1, 0) * 1000) / rate);
  if (endMs > MAX_DATE_MS) throw invalid('rate', 'the last order would be after year 9999');
  return {
    products,
    orders,
    itemsPerOrder,
    maxItemQuantity,
    seed: merged.seed,
    start,
    startMs,
    rate,
    productStartId,
    orderStartId,
  };
}
