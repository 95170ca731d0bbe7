import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDecoder,
  decodeRecord,
  isDmsRecord,
  ProductSchema,
  type DmsRecord,
} from '@kse/schemas';
import { generateDataset, generateOrders, type GeneratorError } from '../src/index.js';

/** The pinned output: changing the generator's draws, word lists or format changes it. */
const PINNED = {
  options: { products: 50, orders: 100, seed: 'pinned' },
  products: '65e8670142f718dc063d113ff8d27f84175cb8ea80cbf52f6e26c5bd15363162',
  orders: '7df4b16f02a98919c0c72406b597c86fe8db32d13c8a659f7b276a4435b6004c',
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kse-gen-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const lines = (bytes: Buffer): string[] => bytes.toString('utf8').split('\n').slice(0, -1);

async function caught(promise: Promise<unknown>): Promise<GeneratorError> {
  try {
    await promise;
  } catch (error) {
    return error as GeneratorError;
  }
  throw new Error('expected an error');
}

describe('generateDataset', () => {
  it('writes the pinned bytes for the pinned options', async () => {
    const result = await generateDataset({ outDir: dir, ...PINNED.options });
    const products = await readFile(join(dir, 'products.json'));
    const orders = await readFile(join(dir, 'orders.json'));
    expect(sha256(products)).toBe(PINNED.products);
    expect(sha256(orders)).toBe(PINNED.orders);
    expect(result.sha256).toEqual({ products: PINNED.products, orders: PINNED.orders });
    expect(result.counts).toEqual({ products: 50, orders: 100, items: 200, lines: 350 });
    expect(result.bytes).toEqual({ products: products.length, orders: orders.length });
    expect(result.files).toEqual({
      products: join(dir, 'products.json'),
      orders: join(dir, 'orders.json'),
    });
  });

  it('writes the same bytes twice, whatever the chunk size, and other bytes for another seed', async () => {
    const a = await generateDataset({ outDir: join(dir, 'a'), orders: 3000, seed: 's1' });
    const b = await generateDataset({
      outDir: join(dir, 'b'),
      orders: 3000,
      seed: 's1',
      chunkBytes: 4096,
    });
    const c = await generateDataset({ outDir: join(dir, 'c'), orders: 3000, seed: 's2' });
    expect(b.sha256).toEqual(a.sha256);
    expect(await readFile(join(dir, 'b', 'orders.json'))).toEqual(
      await readFile(join(dir, 'a', 'orders.json')),
    );
    expect(c.sha256!.orders).not.toBe(a.sha256!.orders);
    expect(c.sha256!.products).not.toBe(a.sha256!.products);
  });

  it('writes lines that all decode with @kse/schemas, each order followed by its items', async () => {
    await generateDataset({ outDir: dir, orders: 2000, itemsPerOrder: 3 });
    const decodeProduct = createDecoder(ProductSchema);
    const products = lines(await readFile(join(dir, 'products.json')));
    expect(products).toHaveLength(1000);
    products.forEach((line, i) =>
      expect(decodeProduct(line, { position: i + 1 }).productId).toBe(999_900_001 + i),
    );
    const orders = lines(await readFile(join(dir, 'orders.json')));
    expect(orders).toHaveLength(8000);
    let currentOrder = 0;
    orders.forEach((line, i) => {
      const record = decodeRecord(Buffer.from(line, 'utf8'), { position: i + 1 });
      if (isDmsRecord(record)) throw new Error('unexpected DMS record');
      if (i % 4 === 0) {
        expect(record.recordType).toBe('Order');
        currentOrder = record.orderId;
      } else {
        expect(record).toMatchObject({ recordType: 'OrderItem', orderId: currentOrder });
      }
      expect(JSON.stringify(record)).toBe(line); // nothing stripped, nothing reordered
    });
  });

  it('gzips to the same NDJSON with --gzip', async () => {
    const plain = await generateDataset({ outDir: join(dir, 'plain'), orders: 500 });
    const gz = await generateDataset({ outDir: join(dir, 'gz'), orders: 500, gzip: true });
    expect(gz.files.orders).toBe(join(dir, 'gz', 'orders.json.gz'));
    expect(gunzipSync(await readFile(join(dir, 'gz', 'orders.json.gz')))).toEqual(
      await readFile(join(dir, 'plain', 'orders.json')),
    );
    expect(gz.sha256).toEqual(plain.sha256);
  });

  it('writes DMS records that decode as DMS envelopes and map back to the same orders', async () => {
    await generateDataset({ outDir: dir, orders: 300, format: 'dms', dmsOperation: 'insert' });
    const records = lines(await readFile(join(dir, 'orders.json'))).map((line) =>
      decodeRecord(line),
    );
    const expected = [...generateOrders({ orders: 300 })];
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      expect(isDmsRecord(record)).toBe(true);
      const dms = record as DmsRecord;
      const source = expected[i]!;
      const isOrder = source.recordType === 'Order';
      expect(dms.metadata).toMatchObject({
        'record-type': 'data',
        operation: 'insert',
        'schema-name': 'sales',
        'table-name': isOrder ? 'orders' : 'order_items',
        'transaction-id': source.orderId,
        timestamp: source.orderDateTime.replace('Z', '000Z'),
      });
      // The documented mapping: snake_case columns, same values.
      const back = Object.fromEntries(
        Object.entries(dms.data).map(([column, value]) => [
          column === 'order_datetime'
            ? 'orderDateTime'
            : column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
          value,
        ]),
      );
      expect({ ...back, recordType: source.recordType }).toEqual(source);
    });
  });

  it('writes one part to a stream', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const result = await generateDataset({ stream, only: 'orders', orders: 10 });
    expect(result.files).toEqual({ orders: '-' });
    expect(lines(Buffer.concat(chunks))).toHaveLength(30);
    expect(result.counts).toEqual({ products: 0, orders: 10, items: 20, lines: 30 });
  });

  it('writes only products with only: "products", ignoring order options', async () => {
    const result = await generateDataset({
      outDir: dir,
      only: 'products',
      products: 3,
      itemsPerOrder: 9,
    });
    expect(await readdir(dir)).toEqual(['products.json']);
    expect(result.counts.products).toBe(3);
  });

  it('reports progress up to the total', async () => {
    const seen: number[] = [];
    await generateDataset({
      outDir: dir,
      only: 'orders',
      orders: 1000,
      chunkBytes: 4096,
      onProgress: (p) => {
        expect(p.totalLines).toBe(3000);
        seen.push(p.lines);
      },
    });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toBe(3000);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });
});

describe('generateDataset on bad input', () => {
  it('rejects itemsPerOrder larger than products before writing anything', async () => {
    const error = await caught(generateDataset({ outDir: dir, products: 2, itemsPerOrder: 3 }));
    expect(error.code).toBe('KSE_GENERATOR_OPTION_INVALID');
    expect(error.option).toBe('itemsPerOrder');
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects an unwritable outDir with KSE_GENERATOR_OUTPUT_FAILED', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const error = await caught(generateDataset({ outDir: join(dir, 'a-file', 'sub'), orders: 10 }));
    expect(error.code).toBe('KSE_GENERATOR_OUTPUT_FAILED');
    expect(error.message).toMatch(/cannot write .*a-file/);
  });

  it('leaves no file behind when aborted midway', async () => {
    const controller = new AbortController();
    const error = await caught(
      generateDataset({
        outDir: dir,
        orders: 100_000,
        chunkBytes: 4096,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.part === 'orders' && p.lines > 5000) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('KSE_GENERATOR_ABORTED');
    expect(await readdir(dir)).toEqual([]);
  });

  it('requires only when writing to a stream', async () => {
    const error = await caught(generateDataset({ stream: new PassThrough(), orders: 1 }));
    expect(error.option).toBe('only');
  });

  it('requires an S3 client for an s3:// outDir', async () => {
    const error = await caught(generateDataset({ outDir: 's3://bucket/prefix/', orders: 1 }));
    expect(error.option).toBe('s3Client');
  });
});
