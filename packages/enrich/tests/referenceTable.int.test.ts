import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, ensureBucket } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { loadReferenceTable } from '../src/index.js';
import { product } from './fixtures.js';

const s3 = createS3Client(testAwsConfig());
const bucket = uniqueName('reference');

beforeAll(async () => {
  await ensureBucket(s3, bucket);
});
afterAll(() => s3.destroy());

describe('loadReferenceTable from S3', () => {
  it('loads NDJSON from an S3 object and keeps it when the object disappears', async () => {
    const key = 'reference/products.json';
    const body = [product(1, 'Zoë’s Desk 東京'), product(2, 'Lamp')]
      .map((p) => JSON.stringify(p))
      .join('\n');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    let now = 0;
    const table = await loadReferenceTable({
      s3,
      bucket,
      key,
      refreshIntervalMs: 10,
      clock: () => now,
    });
    expect(table.get(1)?.productName).toBe('Zoë’s Desk 東京');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    now = 10;
    await table.refreshIfDue(now);
    expect(table.get(2)?.productName).toBe('Lamp');
    expect(table.stats.failedRefreshes).toBe(1);
    expect(table.stats.lastError?.message).toContain(`s3://${bucket}/${key}`);
  });
});
