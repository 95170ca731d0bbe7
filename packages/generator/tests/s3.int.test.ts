import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, ensureBucket } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { decodeRecord } from '@kse/schemas';
import { generateDataset, uploadStreamToS3, type GeneratorError } from '../src/index.js';

let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  s3 = createAwsClients(testAwsConfig()).s3;
  bucket = uniqueName('gen');
  await ensureBucket(s3, bucket);
});
afterAll(() => s3.destroy());

async function getObject(key: string): Promise<Buffer> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

async function keys(prefix: string): Promise<string[]> {
  const response = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (response.Contents ?? []).map((object) => object.Key!).sort();
}

describe('generateDataset to S3', () => {
  it('uploads both files (multipart: orders is over 5 MiB) with the same bytes as on disk', async () => {
    // The same dataset, written to disk and uploaded to S3.
    const dir = mkdtempSync(join(tmpdir(), 'kse-gen-s3-'));
    const onDisk = await generateDataset({ outDir: dir, orders: 20_000, seed: 's3-bytes' });
    // Count the multipart calls the upload really made, on the real client.
    const counted = createAwsClients(testAwsConfig()).s3;
    const calls: string[] = [];
    counted.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const result = await generateDataset({
      outDir: `s3://${bucket}/run1`,
      s3Client: counted,
      orders: 20_000,
      seed: 's3-bytes',
    });
    counted.destroy();
    expect(result.files).toEqual({
      products: `s3://${bucket}/run1/products.json`,
      orders: `s3://${bucket}/run1/orders.json`,
    });
    const ordersFile = readFileSync(onDisk.files.orders!);
    const productsFile = readFileSync(onDisk.files.products!);
    expect(ordersFile.length).toBeGreaterThan(5 * 1024 * 1024);
    // Byte for byte what the disk run wrote.
    expect((await getObject('run1/orders.json')).equals(ordersFile)).toBe(true);
    expect((await getObject('run1/products.json')).equals(productsFile)).toBe(true);
    expect(result.bytes).toEqual(onDisk.bytes);
    expect(result.sha256).toEqual(onDisk.sha256);
    expect(createHash('sha256').update(ordersFile).digest('hex')).toBe(result.sha256!.orders);
    // orders went up in parts: one multipart upload of ≥ 2 parts, completed.
    const count = (name: string) => calls.filter((c) => c === name).length;
    expect(count('CreateMultipartUploadCommand')).toBe(1);
    expect(count('UploadPartCommand')).toBe(Math.ceil(ordersFile.length / (5 * 1024 * 1024)));
    expect(count('CompleteMultipartUploadCommand')).toBe(1);
    const lines = ordersFile.toString('utf8').split('\n').slice(0, -1);
    expect(lines).toHaveLength(60_000);
    for (const line of [lines[0]!, lines[1]!, lines.at(-1)!])
      expect(() => decodeRecord(line)).not.toThrow();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads gzip output that gunzips to the plain NDJSON', async () => {
    const result = await generateDataset({
      outDir: `s3://${bucket}/gz/`,
      s3Client: s3,
      only: 'orders',
      orders: 1000,
      gzip: true,
    });
    expect(result.files.orders).toBe(`s3://${bucket}/gz/orders.json.gz`);
    const plain = gunzipSync(await getObject('gz/orders.json.gz'));
    expect(createHash('sha256').update(plain).digest('hex')).toBe(result.sha256!.orders);
  });

  it('leaves no object behind when the source fails midway', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 3; i += 1) yield Buffer.alloc(4 * 1024 * 1024, 'x');
      throw new Error('source broke');
    }
    let error: GeneratorError | undefined;
    try {
      await uploadStreamToS3(Readable.from(failing()), {
        client: s3,
        bucket,
        key: 'broken/orders.json',
      });
    } catch (caught) {
      error = caught as GeneratorError;
    }
    expect(error?.code).toBe('KSE_GENERATOR_S3_FAILED');
    expect(error?.message).toMatch(/source broke/);
    expect(await keys('broken/')).toEqual([]);
  });
});
