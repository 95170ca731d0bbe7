import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAwsClients,
  destroyAwsClients,
  ensureBucket,
  ensureStream,
  ensureTable,
} from '../src/index.js';
import { testAwsConfig, uniqueName } from '../src/testing/index.js';

const clients = createAwsClients(testAwsConfig());
afterAll(() => destroyAwsClients(clients));

async function readShard(kinesis: KinesisClient, streamName: string, shardId: string) {
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const records: { data: string; partitionKey: string }[] = [];
  let iterator = ShardIterator;
  // A shard is drained when a GetRecords call returns nothing and MillisBehindLatest is 0.
  while (iterator) {
    const page = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
    );
    for (const record of page.Records ?? []) {
      records.push({
        data: Buffer.from(record.Data!).toString('utf8'),
        partitionKey: record.PartitionKey!,
      });
    }
    if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
    iterator = page.NextShardIterator;
  }
  return records;
}

describe('acceptance through the real SDK', () => {
  it('reads back from both shards of a 2-shard stream exactly the 1,000 records put', async () => {
    const streamName = uniqueName('accept');
    await ensureStream(clients.kinesis, { streamName, shardCount: 2 });
    const sent = Array.from({ length: 1000 }, (_, i) => ({
      data: JSON.stringify({ orderId: 10000001 + i, shipToName: 'Zoë 東京' }),
      partitionKey: String(10000001 + i),
    }));
    for (let start = 0; start < sent.length; start += 500) {
      const { FailedRecordCount } = await clients.kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: sent.slice(start, start + 500).map((r) => ({
            Data: Buffer.from(r.data, 'utf8'),
            PartitionKey: r.partitionKey,
          })),
        }),
      );
      expect(FailedRecordCount).toBe(0);
    }
    const { Shards = [] } = await clients.kinesis.send(
      new ListShardsCommand({ StreamName: streamName }),
    );
    expect(Shards).toHaveLength(2);
    const perShard = await Promise.all(
      Shards.map((shard) => readShard(clients.kinesis, streamName, shard.ShardId!)),
    );
    expect(perShard.every((records) => records.length > 0)).toBe(true);
    const received = perShard.flat();
    const byKey = (a: { partitionKey: string }, b: { partitionKey: string }) =>
      Number(a.partitionKey) - Number(b.partitionKey);
    expect(received.sort(byKey)).toEqual([...sent].sort(byKey));
  });

  it('counts in a Scan every item written with BatchWriteItem', async () => {
    const tableName = uniqueName('accept');
    await ensureTable(clients.dynamodb, {
      tableName,
      partitionKey: { name: 'orderId', type: 'N' },
      sortKey: { name: 'itemId', type: 'N' },
    });
    const total = 100;
    for (let start = 0; start < total; start += 25) {
      const { UnprocessedItems } = await clients.dynamodb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [tableName]: Array.from({ length: 25 }, (_, i) => ({
              PutRequest: {
                Item: {
                  orderId: { N: String(10000001 + Math.floor((start + i) / 2)) },
                  itemId: { N: String(999900001 + ((start + i) % 2)) },
                  productName: { S: 'Widget' },
                },
              },
            })),
          },
        }),
      );
      expect(UnprocessedItems ?? {}).toEqual({});
    }
    let count = 0;
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await clients.dynamodb.send(
        new ScanCommand({ TableName: tableName, Select: 'COUNT', ExclusiveStartKey }),
      );
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
    } while (ExclusiveStartKey);
    expect(count).toBe(total);
  });

  it('puts, lists and gets back a 20 MB object, streamed both ways', async () => {
    const bucket = uniqueName('accept');
    await ensureBucket(clients.s3, bucket);
    const size = 20 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024);
    const expected = createHash('sha256');
    function* body() {
      for (let i = 0; i < size / chunk.length; i += 1) {
        chunk.fill(i % 251);
        expected.update(chunk);
        yield Buffer.from(chunk);
      }
    }
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'big/object.bin',
        Body: Readable.from(body()),
        ContentLength: size,
      }),
    );
    const { Contents = [] } = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'big/' }),
    );
    expect(Contents.map((o) => [o.Key, o.Size])).toEqual([['big/object.bin', size]]);
    const { Body } = await clients.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'big/object.bin' }),
    );
    const actual = createHash('sha256');
    let received = 0;
    for await (const part of Body as Readable) {
      actual.update(part as Buffer);
      received += (part as Buffer).length;
    }
    expect(received).toBe(size);
    expect(actual.digest('hex')).toBe(expected.digest('hex'));
  });

  it('pages through a truncated listing with continuation tokens', async () => {
    const bucket = uniqueName('pages');
    await ensureBucket(clients.s3, bucket);
    const keys = Array.from({ length: 7 }, (_, i) => `k/${String(i).padStart(2, '0')}`);
    for (const Key of keys) {
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
    }
    const listed: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await clients.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3, ContinuationToken }),
      );
      listed.push(...(page.Contents ?? []).map((o) => o.Key!));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    expect(listed).toEqual(keys);
  });
});
