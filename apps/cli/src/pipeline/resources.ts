import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ensureJoinStateTable } from '@kse/enrich';
import {
  deleteStreamIfExists,
  deleteTableIfExists,
  emptyBucket,
  ensureBucket,
  ensureStream,
  ensureTable,
  type AwsClients,
} from '@kse/local-stack';
import { ENRICHED_TABLE_KEY } from '@kse/schemas';
import { INPUT_KEYS } from './input.js';
import type { ResolvedRunOptions } from './options.js';
import { RunError } from './runError.js';
import type { StackOwner } from './stack.js';

/** The tables a run names after its table: the mappings' checkpoints and the join state. */
export interface RunTables {
  checkpoints: string;
  joinState: string;
}

/** {@link RunTables} of the table `table`. */
export function runTables(table: string): RunTables {
  return { checkpoints: `${table}-checkpoints`, joinState: `${table}-join-state` };
}

/** The options the resource phases read. */
export type ResourceOptions = Pick<
  ResolvedRunOptions,
  | 'sourceStream'
  | 'enrichedStream'
  | 'deadLetterStream'
  | 'table'
  | 'bucket'
  | 'reset'
  | 'shards'
  | 'enrichedShards'
  | 'topology'
  | 'joinState'
>;

/** What the run will do to one resource. */
export interface PlannedResource {
  kind: 'stream' | 'table' | 'bucket' | 'object';
  /** Stream, table or bucket name; `s3://bucket/key` for an object. */
  name: string;
  /**
   * `create` (it does not exist; removed at the end unless `keep`), `use` (it exists and
   * stays as it is), `empty` (a table whose rows are deleted first: `reset`), `write` (a
   * new object) or `replace` (an object that exists is overwritten).
   */
  action: 'create' | 'use' | 'empty' | 'write' | 'replace';
  /** e.g. `2 shards`, `holds rows`. */
  detail?: string;
}

/** What a run made, so that it removes exactly that at the end (and nothing else). */
export interface CreatedResources {
  streams: string[];
  tables: string[];
  /** The bucket, when the run created it. */
  bucket?: string;
  /** Objects the run wrote that did not exist before, as `bucket/key`. */
  objects: { bucket: string; key: string }[];
}

/** The streams a run uses, with their shard counts. */
function runStreams(options: ResourceOptions): [string, number][] {
  return [
    [options.sourceStream, options.shards],
    [options.deadLetterStream, 1],
    ...(options.topology === 'seed'
      ? ([[options.enrichedStream, options.enrichedShards]] as [string, number][])
      : []),
  ];
}

/** The tables a run uses: its table, the checkpoints and (dynamodb join state) the join state. */
function runTableNames(options: ResourceOptions, tables: RunTables): string[] {
  return [
    options.table,
    tables.checkpoints,
    ...(options.joinState === 'dynamodb' ? [tables.joinState] : []),
  ];
}

/**
 * What the run will create or change, found out by reading only (Describe…, Head…, a
 * one-item Scan). On a stack kse started everything is (re)created, and nothing needs
 * reading. On a foreign target, a stream with another shard count or a bucket of someone
 * else is a `KSE_USAGE` error, and tables that hold rows are `KSE_TABLE_NOT_EMPTY` unless
 * `reset` (then they are emptied): all before anything changes.
 */
export async function planResources(
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 's3'>,
  options: ResourceOptions,
  tables: RunTables,
  owner: StackOwner,
): Promise<PlannedResource[]> {
  const objects = Object.values(INPUT_KEYS).map((key) => `s3://${options.bucket}/${key}`);
  if (owner !== 'foreign') {
    return [
      ...runStreams(options).map(([name, shards]) => stream(name, 'create', shards)),
      ...runTableNames(options, tables).map((name): PlannedResource => ({
        kind: 'table',
        name,
        action: 'create',
      })),
      { kind: 'bucket', name: options.bucket, action: 'create' },
      ...objects.map((name): PlannedResource => ({ kind: 'object', name, action: 'write' })),
    ];
  }
  const { kinesis, dynamodb, s3 } = clients;
  const streams = await Promise.all(
    runStreams(options).map(([name, shards]) => planStream(kinesis, name, shards)),
  );
  const tablePlans = await Promise.all(
    runTableNames(options, tables).map((name) => planTable(dynamodb, name, options.reset)),
  );
  const bucketExists = await planBucket(s3, options.bucket);
  const objectPlans = await Promise.all(
    Object.values(INPUT_KEYS).map(async (key): Promise<PlannedResource> => {
      const name = `s3://${options.bucket}/${key}`;
      const exists = bucketExists && (await objectExists(s3, options.bucket, key));
      return { kind: 'object', name, action: exists ? 'replace' : 'write' };
    }),
  );
  const full = tablePlans.filter((p) => p.detail === 'holds rows' && p.action !== 'empty');
  if (full.length > 0) {
    const names = full.map((p) => p.name).join(', ');
    throw new RunError(
      'KSE_TABLE_NOT_EMPTY',
      `${full.length === 1 ? 'table' : 'tables'} ${names} ${full.length === 1 ? 'holds' : 'hold'} rows: ` +
        'kse run does not write into them, because old rows would fool the verdict',
      { hint: 'pass --reset to delete their rows first, or choose another --table' },
    );
  }
  return [
    ...streams,
    ...tablePlans,
    { kind: 'bucket', name: options.bucket, action: bucketExists ? 'use' : 'create' },
    ...objectPlans,
  ];
}

function stream(name: string, action: 'create' | 'use', shards: number): PlannedResource {
  return { kind: 'stream', name, action, detail: `${shards} shard${shards === 1 ? '' : 's'}` };
}

async function planStream(
  kinesis: KinesisClient,
  name: string,
  shards: number,
): Promise<PlannedResource> {
  try {
    const { StreamDescriptionSummary: s } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: name }),
    );
    if (s?.OpenShardCount !== undefined && s.OpenShardCount !== shards) {
      throw new RunError(
        'KSE_USAGE',
        `stream ${name} exists with ${s.OpenShardCount} open shards, not ${shards}`,
        { hint: 'pass the shard count it has (--shards, --enriched-shards), or delete it' },
      );
    }
    return stream(name, 'use', shards);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException')
      return stream(name, 'create', shards);
    throw error;
  }
}

async function planTable(
  dynamodb: DynamoDBClient,
  name: string,
  reset: boolean,
): Promise<PlannedResource> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: name }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      return { kind: 'table', name, action: 'create' };
    }
    throw error;
  }
  const { Count = 0 } = await dynamodb.send(
    new ScanCommand({ TableName: name, Limit: 1, Select: 'COUNT' }),
  );
  if (Count === 0) return { kind: 'table', name, action: 'use', detail: 'empty' };
  return { kind: 'table', name, action: reset ? 'empty' : 'use', detail: 'holds rows' };
}

// True when the bucket exists and is ours to use; someone else's is a usage error.
async function planBucket(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound') return false;
    if (status === 403) {
      throw new RunError('KSE_USAGE', `bucket ${bucket} exists and is not yours to use`, {
        hint: 'choose another --bucket (bucket names are global)',
      });
    }
    throw error;
  }
}

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as Error).name === 'NotFound') return false;
    throw error;
  }
}

/**
 * Makes the bucket, tables and streams of a run, as planned, and returns what it created.
 * On a stack kse started what an earlier run left is deleted or emptied first (a verdict
 * must never be fooled by rows, records or checkpoints of an earlier run). On a foreign
 * target only what the plan says is done: missing resources are created, tables to
 * `empty` lose their rows, the rest is used as it is.
 */
export async function prepareResources(
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 's3'>,
  options: ResourceOptions,
  tables: RunTables,
  owner: StackOwner,
  plan: readonly PlannedResource[],
): Promise<CreatedResources> {
  const { kinesis, dynamodb, s3 } = clients;
  const created: CreatedResources = { streams: [], tables: [], objects: [] };
  const wanted = (kind: PlannedResource['kind'], action: PlannedResource['action']): string[] =>
    plan.filter((p) => p.kind === kind && p.action === action).map((p) => p.name);
  if (owner !== 'foreign') await deleteEarlierRun(kinesis, dynamodb, options, tables);

  if (wanted('bucket', 'create').length > 0) {
    await ensureBucket(s3, options.bucket);
    if (owner !== 'foreign') await emptyBucket(s3, options.bucket);
    created.bucket = options.bucket;
  }
  for (const name of wanted('object', 'write')) {
    created.objects.push({
      bucket: options.bucket,
      key: name.slice(`s3://${options.bucket}/`.length),
    });
  }
  await Promise.all(wanted('table', 'empty').map((name) => emptyTable(dynamodb, name)));
  const tablesToCreate = wanted('table', 'create');
  await Promise.all(
    tablesToCreate.map((name) =>
      name === tables.joinState
        ? ensureJoinStateTable(dynamodb, name)
        : name === options.table
          ? ensureTable(dynamodb, { tableName: name, ...ENRICHED_TABLE_KEY })
          : Promise.resolve(),
    ),
  );
  // The checkpoint table is made by the event source mapping itself; it is the run's when
  // it did not exist.
  created.tables.push(...tablesToCreate);
  const shardsOf = new Map(runStreams(options));
  const streamsToCreate = wanted('stream', 'create');
  await Promise.all(
    streamsToCreate.map((name) =>
      ensureStream(kinesis, { streamName: name, shardCount: shardsOf.get(name)! }),
    ),
  );
  created.streams.push(...streamsToCreate);
  return created;
}

// What an earlier run left on a stack kse started.
async function deleteEarlierRun(
  kinesis: KinesisClient,
  dynamodb: DynamoDBClient,
  options: ResourceOptions,
  tables: RunTables,
): Promise<void> {
  await Promise.all([
    deleteStreamIfExists(kinesis, options.sourceStream),
    deleteStreamIfExists(kinesis, options.enrichedStream),
    deleteStreamIfExists(kinesis, options.deadLetterStream),
    deleteTableIfExists(dynamodb, options.table),
    deleteTableIfExists(dynamodb, tables.checkpoints),
    deleteTableIfExists(dynamodb, tables.joinState),
  ]);
}

/**
 * Deletes every item of a table (`--reset` on a table kse did not create: the table, its
 * settings and alarms stay). Keys only are read; `UnprocessedItems` are sent again.
 */
export async function emptyTable(dynamodb: DynamoDBClient, table: string): Promise<number> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  const keyNames = (Table?.KeySchema ?? []).map((k) => k.AttributeName!);
  const names = Object.fromEntries(keyNames.map((name, i) => [`#k${i}`, name]));
  let deleted = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      await deleteKeys(dynamodb, table, keys.slice(i, i + 25));
    }
    deleted += keys.length;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return deleted;
}

async function deleteKeys(
  dynamodb: DynamoDBClient,
  table: string,
  keys: Record<string, AttributeValue>[],
): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 0; requests.length > 0; attempt += 1) {
    if (attempt > 0) {
      if (attempt > 10) {
        throw new Error(`could not delete ${requests.length} items of ${table} (unprocessed)`);
      }
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(5_000, 50 * 2 ** attempt)));
    }
    const { UnprocessedItems } = await dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: requests } }),
    );
    requests = (UnprocessedItems?.[table] ?? []).flatMap((r) =>
      r.DeleteRequest?.Key === undefined ? [] : [{ DeleteRequest: { Key: r.DeleteRequest.Key } }],
    );
  }
}

/**
 * Removes what the run created, and only that: its streams, its tables, the objects it
 * wrote (when they did not exist before), its bucket. Returns what could not be removed,
 * with why (the run says so rather than failing).
 */
export async function removeCreated(
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 's3'>,
  created: CreatedResources,
): Promise<string[]> {
  const { kinesis, dynamodb, s3 } = clients;
  const left: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      left.push(`${what} (${(error as Error).message.split('\n')[0]})`);
    }
  };
  await Promise.all([
    ...created.streams.map((name) =>
      attempt(`stream ${name}`, () => deleteStreamIfExists(kinesis, name)),
    ),
    ...created.tables.map((name) =>
      attempt(`table ${name}`, () => deleteTableIfExists(dynamodb, name)),
    ),
    (async () => {
      if (created.bucket !== undefined) {
        const bucket = created.bucket;
        await attempt(`bucket ${bucket}`, async () => {
          await emptyBucket(s3, bucket);
          await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
        });
        return;
      }
      for (const { bucket, key } of created.objects) {
        await attempt(`s3://${bucket}/${key}`, () =>
          s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })),
        );
      }
    })(),
  ]);
  return left;
}

/** One line per resource of a plan, for the confirmation and `--keep`. */
export function describePlan(plan: readonly PlannedResource[]): string[] {
  return plan.map(
    (p) =>
      `${p.action.padEnd(8)}${p.kind} ${p.name}${p.detail === undefined ? '' : ` (${p.detail})`}`,
  );
}
