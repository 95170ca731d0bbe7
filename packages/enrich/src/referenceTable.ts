import { readFile } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { ProductSchema, SchemaError, parseJson, validate, type Product } from '@kse/schemas';
import { EnrichError, invalidOption } from './errors.js';
import { loadS3 } from './sdk.js';

/**
 * Anything that finds a product by id: a {@link ReferenceTable}, or a plain `Map`.
 *
 * @example
 * ```ts
 * const products: ProductLookup = new Map([[999900001, { productId: 999900001, productName: 'Desk', productPrice: 5 }]]);
 * ```
 */
export interface ProductLookup {
  get(productId: number): Product | undefined;
  /** Called by the join before each batch with its clock; reloads when due. */
  refreshIfDue?(now: number): Promise<void>;
}

/**
 * Where the products come from.
 *
 * @example
 * ```ts
 * const source: ReferenceSource = { s3, bucket: 'kse-data', key: 'reference/products.json' };
 * ```
 */
export type ReferenceSource =
  | { s3: S3Client; bucket: string; key: string }
  | { file: string }
  | { products: Iterable<Product> };

/**
 * Options of {@link loadReferenceTable}.
 *
 * @example
 * ```ts
 * await loadReferenceTable({ file: 'products.json', refreshIntervalMs: 300_000 });
 * ```
 */
export type ReferenceTableOptions = ReferenceSource & {
  /** Reload period in ms; `-1` (default) never reloads. */
  refreshIntervalMs?: number;
  /** Clock in ms, for refresh scheduling. Default `Date.now`. */
  clock?: () => number;
};

/**
 * Counters of a {@link ReferenceTable}.
 *
 * @example
 * ```ts
 * const { size, failedRefreshes, unknownLookups } = products.stats;
 * ```
 */
export interface ReferenceTableStats {
  /** Products currently indexed. */
  size: number;
  /** Successful loads, the first included. */
  loads: number;
  /** Failed refreshes (the last good copy was kept). */
  failedRefreshes: number;
  /** Lookups of an id that is not in the table. */
  unknownLookups: number;
  /** The last refresh error, if the last refresh failed. */
  lastError: EnrichError | undefined;
}

/**
 * Defaults of {@link ReferenceTableOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_REFERENCE_TABLE_OPTIONS.refreshIntervalMs; // -1: never
 * ```
 */
export const DEFAULT_REFERENCE_TABLE_OPTIONS = {
  refreshIntervalMs: -1,
} satisfies Partial<ReferenceTableOptions>;

/**
 * The products reference table, indexed by `productId`, with optional periodic refresh.
 * A failed refresh keeps the last good copy and is counted in {@link ReferenceTable.stats}.
 * Build it with {@link loadReferenceTable}.
 *
 * @example
 * ```ts
 * const products = await loadReferenceTable({ s3, bucket: 'kse-data', key: 'products.json', refreshIntervalMs: 300_000 });
 * products.get(999900001)?.productName;
 * ```
 */
export class ReferenceTable implements ProductLookup {
  private index = new Map<number, Product>();
  private nextRefreshAt: number;
  private readonly counters = { loads: 0, failedRefreshes: 0, unknownLookups: 0 };
  private lastError: EnrichError | undefined;
  private refreshing: Promise<void> | undefined;

  /** Use {@link loadReferenceTable}; the constructor does not load. */
  constructor(private readonly options: ReferenceTableOptions) {
    const interval = options.refreshIntervalMs ?? DEFAULT_REFERENCE_TABLE_OPTIONS.refreshIntervalMs;
    if (interval !== -1 && !(interval > 0)) {
      throw invalidOption('refreshIntervalMs', interval, '-1 (never) or a positive number of ms');
    }
    this.nextRefreshAt = Number.POSITIVE_INFINITY;
  }

  /** The product with this id, or `undefined` (counted as an unknown lookup). */
  get(productId: number): Product | undefined {
    const product = this.index.get(productId);
    if (product === undefined) this.counters.unknownLookups += 1;
    return product;
  }

  /** Number of products indexed. */
  get size(): number {
    return this.index.size;
  }

  /** Counters: loads, failed refreshes, unknown lookups, the last error. */
  get stats(): ReferenceTableStats {
    return { size: this.index.size, ...this.counters, lastError: this.lastError };
  }

  /**
   * Loads now. The first load throws `KSE_REFERENCE_LOAD_FAILED` on failure; later
   * failures keep the last good copy, are counted, and do not throw.
   */
  async refresh(): Promise<void> {
    const clock = this.options.clock ?? Date.now;
    const interval = this.options.refreshIntervalMs ?? -1;
    try {
      this.index = await loadIndex(this.options);
      this.counters.loads += 1;
      this.lastError = undefined;
    } catch (cause) {
      const error =
        cause instanceof EnrichError
          ? cause
          : new EnrichError('KSE_REFERENCE_LOAD_FAILED', String(cause), { cause });
      if (this.counters.loads === 0) throw error;
      this.counters.failedRefreshes += 1;
      this.lastError = error;
    } finally {
      this.nextRefreshAt = interval === -1 ? Number.POSITIVE_INFINITY : clock() + interval;
    }
  }

  /** Reloads when the refresh interval has passed since the last attempt. */
  async refreshIfDue(now: number = (this.options.clock ?? Date.now)()): Promise<void> {
    if (now < this.nextRefreshAt) return;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }
}

/**
 * Loads the products reference table from S3, a file or an iterable: NDJSON or a JSON
 * array, each product validated with `@kse/schemas`. Throws `KSE_REFERENCE_LOAD_FAILED`
 * when the first load fails.
 *
 * @example
 * ```ts
 * const fromFile = await loadReferenceTable({ file: 'data/products.json' });
 * const fromS3 = await loadReferenceTable({ s3: new S3Client({}), bucket: 'b', key: 'products.json', refreshIntervalMs: 60_000 });
 * ```
 */
export async function loadReferenceTable(options: ReferenceTableOptions): Promise<ReferenceTable> {
  const table = new ReferenceTable(options);
  await table.refresh();
  return table;
}

function describe(source: ReferenceSource): string {
  if ('file' in source) return source.file;
  if ('s3' in source) return `s3://${source.bucket}/${source.key}`;
  return 'products';
}

async function loadIndex(source: ReferenceSource): Promise<Map<number, Product>> {
  const where = describe(source);
  let products: Iterable<unknown>;
  try {
    if ('products' in source) products = source.products;
    else if ('file' in source) products = parseProducts(await readFile(source.file, 'utf8'), where);
    else {
      const { GetObjectCommand } = await loadS3();
      const response = await source.s3.send(
        new GetObjectCommand({ Bucket: source.bucket, Key: source.key }),
      );
      if (response.Body === undefined) throw new Error('empty S3 object body');
      products = parseProducts(await response.Body.transformToString('utf-8'), where);
    }
    const index = new Map<number, Product>();
    let position = 0;
    for (const value of products) {
      position += 1;
      const product = validate(ProductSchema, value, { source: where, position });
      index.set(product.productId, product);
    }
    return index;
  } catch (cause) {
    const reason =
      cause instanceof SchemaError ? cause.message : String((cause as Error).message ?? cause);
    throw new EnrichError('KSE_REFERENCE_LOAD_FAILED', `cannot load ${where}: ${reason}`, {
      cause,
      source: where,
      retryable: !(cause instanceof SchemaError),
    });
  }
}

/** A JSON array, or NDJSON (one product per line). */
function parseProducts(text: string, source: string): unknown[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    const value = parseJson(trimmed, { source, maxBytes: Number.MAX_SAFE_INTEGER });
    if (!Array.isArray(value)) throw new Error('not a JSON array');
    return value;
  }
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    out.push(parseJson(line, { source, position: index + 1 }));
  }
  return out;
}
