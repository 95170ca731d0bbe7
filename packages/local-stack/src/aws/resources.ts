import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { LocalStackError } from '../errors.js';
import { pollUntil, type PollOptions } from './poll.js';

/** Options of {@link ensureStream}. */
export interface EnsureStreamOptions extends PollOptions {
  streamName: string;
  shardCount: number;
}

/** A key attribute of a table. */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

/** Options of {@link ensureTable}. */
export interface EnsureTableOptions extends PollOptions {
  tableName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /**
   * Attribute holding the expiry time (epoch seconds). Turned on with
   * `UpdateTimeToLive`; skipped, without error, by emulators that do not implement it
   * (dynalite): items then never expire locally.
   */
  ttlAttribute?: string;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * Creates a Kinesis stream if it does not exist and waits until it is `ACTIVE`.
 * Idempotent: an existing stream with the same shard count is a no-op; one with another
 * open shard count is a `KSE_RESOURCE_CONFLICT`.
 *
 * @example
 * ```ts
 * const { streamArn } = await ensureStream(clients.kinesis, { streamName: 'orders', shardCount: 2 });
 * ```
 */
export async function ensureStream(
  kinesis: KinesisClient,
  options: EnsureStreamOptions,
): Promise<{ streamArn: string }> {
  const { streamName, shardCount } = options;
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw error;
  }
  const summary = await pollUntil(
    `stream ${streamName} did not become ACTIVE`,
    streamName,
    async () => {
      const { StreamDescriptionSummary: s } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      return s?.StreamStatus === 'ACTIVE' || s?.StreamStatus === 'UPDATING' ? s : undefined;
    },
    options,
  );
  if (summary.OpenShardCount !== undefined && summary.OpenShardCount !== shardCount) {
    throw new LocalStackError(
      'KSE_RESOURCE_CONFLICT',
      `stream ${streamName} exists with ${summary.OpenShardCount} open shards, not ${shardCount}`,
      { resource: streamName },
    );
  }
  return { streamArn: summary.StreamARN! };
}

/**
 * Deletes a stream if it exists and waits until it is gone. A missing stream is a no-op.
 */
export async function deleteStreamIfExists(
  kinesis: KinesisClient,
  streamName: string,
  options: PollOptions = {},
): Promise<boolean> {
  return deleteUntilGone(
    'stream',
    streamName,
    () =>
      kinesis.send(
        new DeleteStreamCommand({ StreamName: streamName, EnforceConsumerDeletion: true }),
      ),
    () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName })),
    options,
  );
}

/**
 * Creates a DynamoDB table (on-demand capacity) if it does not exist, waits until it is
 * `ACTIVE`, and turns on TTL when `ttlAttribute` is given. Idempotent.
 *
 * @example
 * ```ts
 * await ensureTable(clients.dynamodb, {
 *   tableName: 'OrdersEnriched',
 *   partitionKey: { name: 'orderId', type: 'N' },
 *   sortKey: { name: 'itemId', type: 'N' },
 * });
 * ```
 */
export async function ensureTable(
  dynamodb: DynamoDBClient,
  options: EnsureTableOptions,
): Promise<void> {
  const { tableName, partitionKey, sortKey, ttlAttribute } = options;
  const keys = sortKey ? [partitionKey, sortKey] : [partitionKey];
  const KeySchema: KeySchemaElement[] = keys.map((key, index) => ({
    AttributeName: key.name,
    KeyType: index === 0 ? 'HASH' : 'RANGE',
  }));
  const AttributeDefinitions: AttributeDefinition[] = keys.map((key) => ({
    AttributeName: key.name,
    AttributeType: key.type,
  }));
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema,
        AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw error;
  }
  await pollUntil(
    `table ${tableName} did not become ACTIVE`,
    tableName,
    async () => {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      return Table?.TableStatus === 'ACTIVE' ? true : undefined;
    },
    options,
  );
  if (ttlAttribute !== undefined) await ensureTtl(dynamodb, tableName, ttlAttribute);
}

async function ensureTtl(
  dynamodb: DynamoDBClient,
  tableName: string,
  attribute: string,
): Promise<void> {
  try {
    const { TimeToLiveDescription: ttl } = await dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    const on = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
    if (on && ttl?.AttributeName === attribute) return;
    if (on) {
      throw new LocalStackError(
        'KSE_RESOURCE_CONFLICT',
        `table ${tableName} has TTL on ${ttl?.AttributeName}, not ${attribute}`,
        { resource: tableName },
      );
    }
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    // dynalite implements DescribeTimeToLive but not UpdateTimeToLive.
    if (errorName(error) === 'UnknownOperationException') return;
    throw error;
  }
}

/**
 * Deletes a table if it exists and waits until it is gone. A missing table is a no-op.
 */
export async function deleteTableIfExists(
  dynamodb: DynamoDBClient,
  tableName: string,
  options: PollOptions = {},
): Promise<boolean> {
  return deleteUntilGone(
    'table',
    tableName,
    () => dynamodb.send(new DeleteTableCommand({ TableName: tableName })),
    () => dynamodb.send(new DescribeTableCommand({ TableName: tableName })),
    options,
  );
}

/**
 * Deletes a resource and waits until describing it says it is gone. False when it did not
 * exist; a delete already under way (`ResourceInUseException`) is waited for too.
 */
async function deleteUntilGone(
  kind: string,
  name: string,
  remove: () => Promise<unknown>,
  describe: () => Promise<unknown>,
  options: PollOptions,
): Promise<boolean> {
  try {
    await remove();
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return false;
    if (errorName(error) !== 'ResourceInUseException') throw error;
  }
  await pollUntil(
    `${kind} ${name} was not deleted`,
    name,
    async () => {
      try {
        await describe();
        return undefined;
      } catch (error) {
        if (errorName(error) === 'ResourceNotFoundException') return true;
        throw error;
      }
    },
    options,
  );
  return true;
}

/**
 * Creates a bucket if it does not exist. Idempotent. Outside `us-east-1` the bucket is
 * created in the client's region.
 *
 * @example
 * ```ts
 * await ensureBucket(clients.s3, 'kse-reference');
 * ```
 */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (errorName(error) !== 'NotFound' && errorName(error) !== 'NoSuchBucket' && status !== 404)
      throw error;
  }
  const region = await s3.config.region();
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1'
          ? {}
          : {
              CreateBucketConfiguration: {
                LocationConstraint: region as BucketLocationConstraint,
              },
            }),
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'BucketAlreadyOwnedByYou') throw error;
  }
}

/**
 * Deletes every object of a bucket (the bucket stays). Lists the first page again after
 * each delete, so it needs no continuation tokens. Returns how many objects were deleted.
 */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { Contents = [] } = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }),
    );
    const keys = Contents.flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
    if (keys.length === 0) return deleted;
    const { Errors = [] } = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    if (Errors.length > 0) {
      throw new LocalStackError(
        'KSE_RESOURCE_CONFLICT',
        `could not delete ${Errors.length} objects of ${bucket}: ${Errors[0]?.Code} ${Errors[0]?.Message}`,
        { resource: bucket, retryable: true },
      );
    }
    deleted += keys.length;
  }
}
