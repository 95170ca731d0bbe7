import { createReadStream } from 'node:fs';
import {
  ProductSchema,
  decodeRecord,
  isDmsRecord,
  parseJson,
  readNdjsonLines,
  validate,
  type Order,
  type OrderItem,
} from '@kse/schemas';
import type { ComparableRow } from './comparableRow.js';

/** Counts gathered while deriving the expected rows from the input files. */
export interface ExpectedStats {
  products: number;
  orders: number;
  items: number;
  /** Items whose order is not in the file: an inner join produces no row for them. */
  orphanItems: number;
  /** Items whose product is not in the products file: a row with `productName: null`. */
  unknownProducts: number;
  /** Lines that are not valid records (counted, never silently skipped). */
  badLines: number;
}

/** Options of {@link expectedRows}. */
export interface ExpectedRowsOptions {
  /** The products NDJSON file (`products.json`). */
  productsPath: string;
  /** The orders NDJSON file (`orders.json`): orders and their items. */
  ordersPath: string;
  /** Filled in while rows are produced; complete once the generator is done. */
  stats?: ExpectedStats;
  /**
   * How many recent orders are kept to join items that follow them. The generator writes
   * each order just before its items, so a small window joins everything in one pass;
   * items whose order is out of the window are joined in a second pass. Default 10,000.
   */
  orderWindow?: number;
}

/** A fresh, zeroed {@link ExpectedStats}. */
export function emptyExpectedStats(): ExpectedStats {
  return { products: 0, orders: 0, items: 0, orphanItems: 0, unknownProducts: 0, badLines: 0 };
}

/**
 * Derives the rows that must be in the table from the generated files, with the plain
 * relational join: items ⋈ orders on `orderId`, LEFT JOIN products on
 * `itemId = productId`. It shares no code with the streaming join on purpose, so that a
 * bug there cannot hide itself here. Memory stays bounded: products are held, orders only
 * in a sliding window (items that precede their order, or follow it from far away, are
 * joined by a second pass over the file).
 *
 * @example
 * ```ts
 * for await (const row of expectedRows({ productsPath: 'products.json', ordersPath: 'orders.json' })) {
 *   console.log(row.orderId, row.itemId, row.productName);
 * }
 * ```
 */
export async function* expectedRows(options: ExpectedRowsOptions): AsyncGenerator<ComparableRow> {
  const stats = options.stats ?? emptyExpectedStats();
  const window = options.orderWindow ?? 10_000;
  const productNames = await loadProductNames(options.productsPath, stats);
  const recent = new Map<number, Order>();
  const stragglers: OrderItem[] = [];

  const row = (order: Order, item: OrderItem): ComparableRow => {
    const productName = productNames.get(item.itemId);
    if (productName === undefined) stats.unknownProducts += 1;
    return {
      orderId: order.orderId,
      itemId: item.itemId,
      orderAmount: order.orderAmount,
      orderStatus: order.orderStatus,
      orderDateTime: order.orderDateTime,
      shipToName: order.shipToName,
      shipToAddress: order.shipToAddress,
      shipToCity: order.shipToCity,
      shipToState: order.shipToState,
      shipToZip: order.shipToZip,
      itemAmount: item.itemAmount,
      itemQuantity: item.itemQuantity,
      itemStatus: item.itemStatus,
      productName: productName ?? null,
    };
  };

  for await (const record of readSourceRecords(options.ordersPath, stats)) {
    if (record.recordType === 'Order') {
      stats.orders += 1;
      recent.delete(record.orderId);
      recent.set(record.orderId, record);
      if (recent.size > window) recent.delete(recent.keys().next().value as number);
    } else {
      stats.items += 1;
      const order = recent.get(record.orderId);
      if (order === undefined) stragglers.push(record);
      else yield row(order, record);
    }
  }
  if (stragglers.length === 0) return;

  // Second pass: find the orders of the items the window could not join.
  const wanted = new Set(stragglers.map((item) => item.orderId));
  const orders = new Map<number, Order>();
  const ignored = emptyExpectedStats();
  for await (const record of readSourceRecords(options.ordersPath, ignored)) {
    if (record.recordType === 'Order' && wanted.has(record.orderId)) {
      orders.set(record.orderId, record);
    }
  }
  for (const item of stragglers) {
    const order = orders.get(item.orderId);
    if (order === undefined) stats.orphanItems += 1;
    else yield row(order, item);
  }
}

async function loadProductNames(path: string, stats: ExpectedStats): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for await (const line of readNdjsonLines(createReadStream(path), { source: path })) {
    if (!line.ok) {
      stats.badLines += 1;
      continue;
    }
    try {
      const product = validate(ProductSchema, parseJson(line.bytes), {
        source: path,
        position: line.lineNumber,
      });
      names.set(product.productId, product.productName);
      stats.products += 1;
    } catch {
      stats.badLines += 1;
    }
  }
  return names;
}

async function* readSourceRecords(
  path: string,
  stats: ExpectedStats,
): AsyncGenerator<Order | OrderItem> {
  for await (const line of readNdjsonLines(createReadStream(path), { source: path })) {
    if (!line.ok) {
      stats.badLines += 1;
      continue;
    }
    let record;
    try {
      record = decodeRecord(line.bytes, { source: path, position: line.lineNumber });
    } catch {
      stats.badLines += 1;
      continue;
    }
    // DMS envelopes are the preprocess path's input, not what `kse generate` writes by default.
    if (isDmsRecord(record)) {
      stats.badLines += 1;
      continue;
    }
    yield record;
  }
}
