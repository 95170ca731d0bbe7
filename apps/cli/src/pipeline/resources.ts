import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
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
import type { RunPipelineOptions } from './options.js';

/** The tables a run names after its table: the mappings' checkpoints and the join state. */
export interface RunTables {
  checkpoints: string;
  joinState: string;
}

/** {@link RunTables} of the table `table`. */
export function runTables(table: string): RunTables {
  return { checkpoints: `${table}-checkpoints`, joinState: `${table}-join-state` };
}

/** The options {@link prepareResources} reads. */
export type ResourceOptions = Pick<
  RunPipelineOptions,
  | 'sourceStream'
  | 'enrichedStream'
  | 'deadLetterStream'
  | 'table'
  | 'bucket'
  | 'force'
  | 'shards'
  | 'enrichedShards'
  | 'topology'
  | 'joinState'
>;

/**
 * Makes the bucket, table, streams (and join-state table) of a run. On a local stack what
 * an earlier run left is deleted or emptied first; on AWS nothing is deleted, and a table
 * that already holds rows is refused unless `force`.
 */
export async function prepareResources(
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 's3'>,
  options: ResourceOptions,
  tables: RunTables,
  local: boolean,
): Promise<void> {
  const { kinesis, dynamodb, s3 } = clients;
  if (local) await deleteEarlierRun(kinesis, dynamodb, options, tables);
  await ensureBucket(s3, options.bucket);
  if (local) await emptyBucket(s3, options.bucket);
  await ensureTable(dynamodb, { tableName: options.table, ...ENRICHED_TABLE_KEY });
  if (!local && !options.force) await refuseRowsInTable(dynamodb, options.table);
  await Promise.all([
    options.joinState === 'dynamodb'
      ? ensureJoinStateTable(dynamodb, tables.joinState)
      : Promise.resolve(),
    ensureStream(kinesis, { streamName: options.sourceStream, shardCount: options.shards }),
    ensureStream(kinesis, { streamName: options.deadLetterStream, shardCount: 1 }),
    options.topology === 'seed'
      ? ensureStream(kinesis, {
          streamName: options.enrichedStream,
          shardCount: options.enrichedShards,
        })
      : Promise.resolve(),
  ]);
}

// A verdict must never be fooled by rows, records or checkpoints of an earlier run.
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

// On AWS kse never deletes a table it did not create: it refuses to write into one that
// holds rows already, because they would fool the verdict.
async function refuseRowsInTable(dynamodb: DynamoDBClient, table: string): Promise<void> {
  const { Count = 0 } = await dynamodb.send(
    new ScanCommand({ TableName: table, Limit: 1, Select: 'COUNT' }),
  );
  if (Count > 0) {
    throw new Error(
      `table ${table} is not empty: kse run will not write into it on AWS, ` +
        'because old rows would fool the verdict. Empty it, or pass --force.',
    );
  }
}
