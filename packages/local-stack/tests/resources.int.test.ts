import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAwsClients,
  deleteStreamIfExists,
  deleteTableIfExists,
  destroyAwsClients,
  emptyBucket,
  ensureBucket,
  ensureStream,
  ensureTable,
} from '../src/index.js';
import { TEST_DYNAMODB_ENV, testAwsConfig, uniqueName } from '../src/testing/index.js';

const clients = createAwsClients(testAwsConfig());
afterAll(() => destroyAwsClients(clients));

describe('ensureStream', () => {
  it('creates a stream with the shard count and returns once it is ACTIVE', async () => {
    const streamName = uniqueName('stream');
    const { streamArn } = await ensureStream(clients.kinesis, { streamName, shardCount: 2 });
    const { StreamDescriptionSummary } = await clients.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    expect(StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    expect(StreamDescriptionSummary?.StreamARN).toBe(streamArn);
    const { Shards } = await clients.kinesis.send(
      new ListShardsCommand({ StreamName: streamName }),
    );
    expect(Shards).toHaveLength(2);
  });

  it('is a no-op when the stream already exists with the same shard count', async () => {
    const streamName = uniqueName('stream');
    const first = await ensureStream(clients.kinesis, { streamName, shardCount: 1 });
    const second = await ensureStream(clients.kinesis, { streamName, shardCount: 1 });
    expect(second).toEqual(first);
  });

  it('rejects an existing stream with another shard count with KSE_RESOURCE_CONFLICT', async () => {
    const streamName = uniqueName('stream');
    await ensureStream(clients.kinesis, { streamName, shardCount: 1 });
    await expect(
      ensureStream(clients.kinesis, { streamName, shardCount: 3 }),
    ).rejects.toMatchObject({ code: 'KSE_RESOURCE_CONFLICT', resource: streamName });
  });

  it('deleteStreamIfExists deletes a stream and reports false for a missing one', async () => {
    const streamName = uniqueName('stream');
    await ensureStream(clients.kinesis, { streamName, shardCount: 1 });
    expect(await deleteStreamIfExists(clients.kinesis, streamName)).toBe(true);
    expect(await deleteStreamIfExists(clients.kinesis, streamName)).toBe(false);
  });
});

describe('ensureTable', () => {
  it('creates a table with a partition and sort key and returns once it is ACTIVE', async () => {
    const tableName = uniqueName('table');
    await ensureTable(clients.dynamodb, {
      tableName,
      partitionKey: { name: 'orderId', type: 'N' },
      sortKey: { name: 'itemId', type: 'N' },
    });
    const { Table } = await clients.dynamodb.send(
      new DescribeTableCommand({ TableName: tableName }),
    );
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'orderId', KeyType: 'HASH' },
      { AttributeName: 'itemId', KeyType: 'RANGE' },
    ]);
  });

  it('is a no-op when the table already exists', async () => {
    const tableName = uniqueName('table');
    const options = { tableName, partitionKey: { name: 'id', type: 'S' as const } };
    await ensureTable(clients.dynamodb, options);
    await expect(ensureTable(clients.dynamodb, options)).resolves.toBeUndefined();
  });

  it('turns TTL on, idempotently, where the endpoint has UpdateTimeToLive', async () => {
    const tableName = uniqueName('table');
    const options = {
      tableName,
      partitionKey: { name: 'id', type: 'S' as const },
      ttlAttribute: 'expiresAt',
    };
    await ensureTable(clients.dynamodb, options);
    await ensureTable(clients.dynamodb, options);
    const { TimeToLiveDescription } = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    // DynamoDB Local (the conformance run) has UpdateTimeToLive; dynalite does not, so
    // there TTL stays DISABLED.
    expect(TimeToLiveDescription).toEqual(
      process.env[TEST_DYNAMODB_ENV] === 'dynamodb-local'
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' }
        : { TimeToLiveStatus: 'DISABLED' },
    );
  });

  it('deleteTableIfExists deletes a table and reports false for a missing one', async () => {
    const tableName = uniqueName('table');
    await ensureTable(clients.dynamodb, { tableName, partitionKey: { name: 'id', type: 'S' } });
    expect(await deleteTableIfExists(clients.dynamodb, tableName)).toBe(true);
    expect(await deleteTableIfExists(clients.dynamodb, tableName)).toBe(false);
  });
});

describe('ensureBucket', () => {
  it('creates a bucket and is a no-op the second time', async () => {
    const bucket = uniqueName('bucket');
    await ensureBucket(clients.s3, bucket);
    await ensureBucket(clients.s3, bucket);
    const head = await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    expect(head.$metadata.httpStatusCode).toBe(200);
  });

  it('emptyBucket deletes every object and returns how many', async () => {
    const bucket = uniqueName('bucket');
    await ensureBucket(clients.s3, bucket);
    for (let i = 0; i < 5; i += 1) {
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k/${i}`, Body: `v${i}` }));
    }
    expect(await emptyBucket(clients.s3, bucket)).toBe(5);
    const { KeyCount } = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(KeyCount).toBe(0);
  });
});
