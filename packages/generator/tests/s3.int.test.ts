import { createHash } from 'node:crypto';
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
    const result = await generateDataset({
      outDir: `s3://${bucket}/run1`,
      s3Client: s3,
      orders: 20_000,
    });
    expect(result.files).toEqual({
      products: `s3://${bucket}/run1/products.json`,
      orders: `s3://${bucket}/run1/orders.json`,
    });
    expect(result.bytes.orders).toBeGreaterThan(5 * 1024 * 1024);
    const orders = await getObject('run1/orders.json');
    expect(orders.length).toBe(result.bytes.orders);
    expect(createHash('sha256').update(orders).digest('hex')).toBe(result.sha256!.orders);
    const lines = orders.toString('utf8').split('\n').slice(0, -1);
    expect(lines).toHaveLength(60_000);
    for (const line of [lines[0]!, lines[1]!, lines.at(-1)!])
      expect(() => decodeRecord(line)).not.toThrow();
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
