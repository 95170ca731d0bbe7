import { InMemoryJoinStore } from '@kse/enrich';
import { createEnrichHandler, createSinkHandler, type KinesisLambdaHandler } from '@kse/lambda';
import {
  createDynamoDbClient,
  createKinesisClient,
  type AwsClients,
  type OpenAws,
} from '@kse/local-stack';
import type { LatencyRecorder } from '../report/index.js';
import { INPUT_KEYS } from './input.js';
import type { JoinState, ResolvedRunOptions, Topology } from './options.js';
import type { RunTables } from './resources.js';
import { tapStreamPuts, tapTableWrites, type PutTap, type WriteTap } from './taps.js';

/** What the pipeline needs to build its Lambda handlers. */
export interface PipelineHandlerContext {
  topology: Topology;
  /** Where the join keeps its state: in memory (this process) or in DynamoDB (as in Lambda). */
  joinState: JoinState;
  /** The DynamoDB join-state table, for `joinState: 'dynamodb'` (created by the caller). */
  joinStateTable: string;
  /** Tapped clients: the handlers must use these, so that writes are counted and timed. */
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 's3'>;
  table: string;
  enrichedStream: string;
  /** The stream receiving the handlers' dead letters (unmatched items, bad records). */
  deadLetterStream: string;
  /** The products reference table in S3. */
  products: { bucket: string; key: string };
}

/** The handlers of one run. */
export interface PipelineHandlers {
  /** On the source stream: preprocess, join, lookup; then the enriched stream or the table. */
  enrich: KinesisLambdaHandler;
  /** On the enriched stream (seed topology): the batch writer into the table. */
  sink?: KinesisLambdaHandler;
  /** Records the handlers dead-lettered so far (counted as the dead-letter stream accepts them). */
  deadLettered(): number;
}

/**
 * Builds the enrich (and, for `seed`, sink) handlers with `@kse/lambda`'s factories, the
 * same code that runs in AWS Lambda. Join state is in memory by default, one store per
 * shard: this is one long-running process. `joinState: 'dynamodb'` uses the DynamoDB
 * store a Lambda deployment uses (slower: a read and a write per batch and shard).
 */
export function createPipelineHandlers(context: PipelineHandlerContext): PipelineHandlers {
  const { kinesis, dynamodb, s3 } = context.clients;
  const deadLetters = tapStreamPuts(kinesis, context.deadLetterStream);
  const enrich = createEnrichHandler({
    topology: context.topology,
    ...(context.topology === 'seed'
      ? { enrichedStream: context.enrichedStream }
      : { tableName: context.table }),
    productsS3Uri: `s3://${context.products.bucket}/${context.products.key}`,
    ...(context.joinState === 'memory'
      ? { joinStore: () => new InMemoryJoinStore() }
      : { joinStateTable: context.joinStateTable }),
    deadLetterStream: context.deadLetterStream,
    kinesis,
    dynamodb,
    s3,
    env: {},
  });
  const sink =
    context.topology === 'seed'
      ? createSinkHandler({
          tableName: context.table,
          deadLetterStream: context.deadLetterStream,
          kinesis,
          dynamodb,
          env: {},
        })
      : undefined;
  return {
    enrich,
    ...(sink === undefined ? {} : { sink }),
    deadLettered: () => deadLetters.accepted,
  };
}

/** A run's handlers, wired to clients of their own with taps on them. */
export interface WiredHandlers {
  handlers: PipelineHandlers;
  /** Counts and times the rows DynamoDB acknowledged in the run's table. */
  writeTap: WriteTap;
  /** Counts the joined rows the enriched stream accepted (the seed topology's join output). */
  joinTap: PutTap;
  /** Destroys the handlers' clients. */
  destroy(): void;
}

/**
 * Builds the run's handlers on clients of their own, as they would have in Lambda, with
 * taps that count what DynamoDB and Kinesis acknowledged and record each row's latency.
 */
export function wireHandlers(
  aws: Pick<OpenAws, 'config' | 'clients'>,
  options: Pick<
    ResolvedRunOptions,
    'topology' | 'joinState' | 'table' | 'enrichedStream' | 'deadLetterStream' | 'bucket'
  >,
  tables: RunTables,
  latency: LatencyRecorder,
): WiredHandlers {
  // SDK attempts capped at 3 because the handlers' writers own the retries of partial
  // failures (and @kse/enrich's BatchWriter refuses a client allowing more; this SDK's
  // DynamoDB default is 4).
  const clients = {
    kinesis: createKinesisClient(aws.config, { maxAttempts: 3 }),
    dynamodb: createDynamoDbClient(aws.config, { maxAttempts: 3 }),
    s3: aws.clients.s3,
  };
  const destroy = (): void => {
    clients.kinesis.destroy();
    clients.dynamodb.destroy();
  };
  try {
    const writeTap = tapTableWrites(clients.dynamodb, options.table, latency);
    const joinTap = tapStreamPuts(clients.kinesis, options.enrichedStream);
    const handlers = createPipelineHandlers({
      topology: options.topology,
      joinState: options.joinState,
      joinStateTable: tables.joinState,
      clients,
      table: options.table,
      enrichedStream: options.enrichedStream,
      deadLetterStream: options.deadLetterStream,
      products: { bucket: options.bucket, key: INPUT_KEYS.products },
    });
    return { handlers, writeTap, joinTap, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}
