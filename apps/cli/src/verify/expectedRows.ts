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
import { emptyExpectedStats, type ExpectedStats } from './expectedStats.js';
import { LastWrites } from './lastWrites.js';

export { emptyExpectedStats, type ExpectedStats } from './expectedStats.js';

/** Options of {@link expectedRows}. */
export interface ExpectedRowsOptions {
  /** The products NDJSON file (`products.json`). */
  productsPath: string;
  /** The orders NDJSON file (`orders.json`): orders and their items. */
  ordersPath: string;
  /** Filled in while rows are produced; complete once the generator is done. */
  stats?: ExpectedStats;
}

/**
 * Derives the rows that must be in the table from the generated files, with the plain
 * relational join: items ⋈ orders on `orderId`, LEFT JOIN products on
 * `itemId = productId`, after **last write wins** on duplicates (one row per
 * `orderId`/`itemId`: the last copy of the item joined to the last copy of its order; see
 * {@link LastWrites}). It shares no code with the streaming join on purpose, so that a bug
 * there cannot hide itself here. This one holds the whole input in memory: `verifyTable`
 * partitions it by `orderId` to stay within a memory budget.
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
  const productNames = await loadProductNames(options.productsPath, stats);
  const writes = new LastWrites();
  for await (const record of readSourceRecords(options.ordersPath, stats)) writes.add(record);
  stats.repeatedKeys += writes.repeated;
  yield* writes.rows(productNames, stats);
}

/** The products file as `productId` → `productName` (the reference table, held whole). */
export async function loadProductNames(
  path: string,
  stats: ExpectedStats,
): Promise<Map<number, string>> {
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

/** A validated order or item, and the JSON line it was decoded from. */
export interface SourceLine {
  record: Order | OrderItem;
  bytes: Uint8Array;
}

// Lines handed on at a time: one step of the consumer per batch, not per line.
const LINES_PER_BATCH = 1024;

/**
 * The orders and items of an orders file, validated, with their lines, in file order and
 * in batches; counts them (`orders`, `items`) and every line that is not one (`badLines`).
 * `onBytes` hears the bytes read.
 */
export async function* readSourceLines(
  path: string,
  stats: ExpectedStats,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<SourceLine[]> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const chunks = onBytes === undefined ? file : counted(file, onBytes);
  let batch: SourceLine[] = [];
  for await (const line of readNdjsonLines(chunks, { source: path })) {
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
    if (record.recordType === 'Order') stats.orders += 1;
    else stats.items += 1;
    batch.push({ record, bytes: line.bytes });
    if (batch.length === LINES_PER_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** {@link readSourceLines}' records, one by one. */
export async function* readSourceRecords(
  path: string,
  stats: ExpectedStats,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<Order | OrderItem> {
  for await (const batch of readSourceLines(path, stats, onBytes)) {
    for (const line of batch) yield line.record;
  }
}

async function* counted(
  chunks: AsyncIterable<Buffer>,
  onBytes: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    onBytes(chunk.length);
    yield chunk;
  }
}
