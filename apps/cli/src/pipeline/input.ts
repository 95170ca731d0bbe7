import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDataset, uploadStreamToS3 } from '@kse/generator';
import type { AwsClients } from '@kse/local-stack';
import type { RunPipelineOptions } from './options.js';
import type { RunCounters } from './types.js';

/**
 * Where the input files go in the run's bucket: the sample's layout (its README has you
 * create the folders `orders` and `products`, upload `products/products.json` and
 * `orders/orders.json`, and replay with `-objectPrefix orders`), so that a bucket made
 * for the sample and one kse made can be used the same way.
 */
export const INPUT_KEYS = { products: 'products/products.json', orders: 'orders/orders.json' };

/** The input files of a run, generated into its work directory. */
export interface RunInput {
  productsPath: string;
  ordersPath: string;
  /** Rows the table must end with: one per generated item. */
  expectedRows: number;
}

/**
 * Generates the run's `products.json` and `orders.json` into `workDir` (the files
 * `kse generate` writes with the same options), counting lines into `counters.generated`.
 */
export async function generateInput(
  workDir: string,
  options: Pick<RunPipelineOptions, 'orders' | 'products' | 'seed'>,
  counters: RunCounters,
): Promise<RunInput> {
  await mkdir(workDir, { recursive: true });
  const generated = await generateDataset({
    outDir: workDir,
    orders: options.orders,
    products: options.products,
    seed: options.seed,
    onProgress: (p) => {
      if (p.part === 'orders') counters.generated = p.lines;
    },
  });
  counters.generated = generated.counts.orders + generated.counts.items;
  return {
    productsPath: join(workDir, 'products.json'),
    ordersPath: join(workDir, 'orders.json'),
    expectedRows: generated.counts.items,
  };
}

/** Uploads the input files to `bucket` under {@link INPUT_KEYS}, where the replay and the handlers read them. */
export async function uploadInput(
  s3: AwsClients['s3'],
  bucket: string,
  input: RunInput,
): Promise<void> {
  await uploadStreamToS3(createReadStream(input.productsPath), {
    client: s3,
    bucket,
    key: INPUT_KEYS.products,
  });
  await uploadStreamToS3(createReadStream(input.ordersPath), {
    client: s3,
    bucket,
    key: INPUT_KEYS.orders,
  });
}
