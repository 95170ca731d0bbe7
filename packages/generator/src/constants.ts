import { FIRST_ORDER_ID, FIRST_PRODUCT_ID } from '@kse/schemas';

/** Default seed: a fixed string, so two runs without `seed` give the same bytes. */
export const DEFAULT_SEED = 'kse';

/** Default first `orderDateTime`: a fixed instant, never "now". */
export const DEFAULT_START = '2026-01-01T00:00:00.000Z';

/** Output formats: plain kse records, or AWS DMS Kinesis-target envelopes. */
export const OUTPUT_FORMATS = ['json', 'dms'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What to generate: both files (default), or one of them. */
export const DATASET_PARTS = ['products', 'orders'] as const;
/** One of {@link DATASET_PARTS}. */
export type DatasetPart = (typeof DATASET_PARTS)[number];

/** DMS `metadata.operation` values the generator writes: full load or CDC insert. */
export const DMS_GENERATED_OPERATIONS = ['load', 'insert'] as const;
/** One of {@link DMS_GENERATED_OPERATIONS}. */
export type DmsGeneratedOperation = (typeof DMS_GENERATED_OPERATIONS)[number];

/**
 * Defaults of the record generators (`generateProducts`, `generateOrders`) and of
 * `generateDataset`. Values match the AWS sample: 1,000 products from id 999900001,
 * 10,000 orders from id 10000001, two items per order.
 */
export const DEFAULT_GENERATOR_OPTIONS = {
  products: 1000,
  orders: 10_000,
  itemsPerOrder: 2,
  maxItemQuantity: 1,
  seed: DEFAULT_SEED,
  start: DEFAULT_START,
  rate: 1000,
  productStartId: FIRST_PRODUCT_ID,
  orderStartId: FIRST_ORDER_ID,
} as const;

/** Defaults of the output side of `generateDataset`. */
export const DEFAULT_DATASET_OPTIONS = {
  gzip: false,
  format: 'json',
  dmsOperation: 'load',
  dmsSchemaName: 'sales',
  hash: true,
  chunkBytes: 256 * 1024,
} as const;

/** File names written by `generateDataset` (before the `.gz` suffix of `gzip`). */
export const FILE_NAMES = { products: 'products.json', orders: 'orders.json' } as const;
