import { countSdkRetries, type RetryCounters } from '@kse/core';
import { InMemoryJoinStore } from '@kse/enrich';
import {
  createEnrichHandler,
  createSinkHandler,
  type EnrichHandler,
  type KinesisLambdaHandler,
} from '@kse/lambda';
import {
  createDynamoDbClient,
  createKinesisClient,
  type AwsClients,
  type OpenAws,
} from '@kse/local-stack';
import type { LatencyRecorder } from '../report/index.js';
import { INPUT_KEYS } from './input.js';
import type { JoinState, JoinTime, ResolvedRunOptions, Topology } from './options.js';
import type { RunTables } from './resources.js';
import {
  tapDeadLetters,
  tapStreamPuts,
  tapTableWrites,
  type PutTap,
  type WriteTap,
} from './taps.js';

/** The join's settings, as the enrich handler takes them (unset: `@kse/lambda`'s defaults). */
export interface PipelineJoinSettings {
  time: JoinTime;
  /** Allowed lateness, s (default 0 for arrival time, 10 for event time). */
  latenessSeconds?: number;
  /** The window, s (default 60, the sample's); kse run keeps the default, tests shorten it. */
  windowSeconds?: number;
}

/** What the pipeline needs to build its Lambda handlers. */
export interface PipelineHandlerContext {
  topology: Topology;
  /** Where the join keeps its state: in memory (this process) or in DynamoDB (as in Lambda). */
  joinState: JoinState;
  /** The DynamoDB join-state table, for `joinState: 'dynamodb'` (created by the caller). */
  joinStateTable: string;
  /** Which time the join runs on, and its lateness. */
  join: PipelineJoinSettings;
  /** Tapped clients: the handlers must use these, so that writes are counted and timed. */
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 's3'>;
  table: string;
  enrichedStream: string;
  /** The stream receiving the handlers' dead letters (unmatched items, bad records). */
  deadLetterStream: string;
  /** The products reference table in S3. */
  products: { bucket: string; key: string };
  /** Counts the dead-letter stream's failed entries (re-sent) by kind, when given. */
  retries?: RetryCounters;
}

/** The handlers of one run. */
export interface PipelineHandlers {
  /**
   * On the source stream: preprocess, join, lookup; then the enriched stream or the table.
   * Its `sweep` expires the join state of a shard that gets no records (the mapping's idle timer).
   */
  enrich: KinesisLambdaHandler & Pick<EnrichHandler, 'sweep'>;
  /** On the enriched stream (seed topology): the batch writer into the table. */
  sink?: KinesisLambdaHandler;
  /** Records the handlers dead-lettered so far (counted as the dead-letter stream accepts them). */
  deadLettered(): number;
  /** The same, by dead-letter code (`KSE_JOIN_UNMATCHED`, `KSE_JOIN_UNMATCHED_ORDER`…). */
  deadLettersByCode(): Record<string, number>;
  /**
   * Gives back the memory of the in-memory join state (every shard's store cleared), once
   * the mappings have stopped: the handlers are not called after it. A run whose replay
   * outpaces the join holds most of its records in the window by the end of it.
   */
  releaseJoinState(): void;
}

/**
 * Builds the enrich (and, for `seed`, sink) handlers with `@kse/lambda`'s factories, the
 * same code that runs in AWS Lambda. Join state is in memory by default, one store per
 * shard: this is one long-running process. `joinState: 'dynamodb'` uses the DynamoDB
 * store a Lambda deployment uses (slower: a read and a write per batch and shard).
 */
export function createPipelineHandlers(context: PipelineHandlerContext): PipelineHandlers {
  const { kinesis, dynamodb, s3 } = context.clients;
  const deadLetters = tapDeadLetters(kinesis, context.deadLetterStream, context.retries);
  const { join } = context;
  const stores: InMemoryJoinStore[] = [];
  const enrich = createEnrichHandler({
    topology: context.topology,
    ...(context.topology === 'seed'
      ? { enrichedStream: context.enrichedStream }
      : { tableName: context.table }),
    productsS3Uri: `s3://${context.products.bucket}/${context.products.key}`,
    ...(context.joinState === 'memory'
      ? {
          joinStore: () => {
            const store = new InMemoryJoinStore();
            stores.push(store);
            return store;
          },
        }
      : { joinStateTable: context.joinStateTable }),
    joinTime: join.time,
    ...(join.latenessSeconds === undefined ? {} : { joinLatenessSeconds: join.latenessSeconds }),
    ...(join.windowSeconds === undefined ? {} : { joinWindowSeconds: join.windowSeconds }),
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
    deadLettersByCode: () => ({ ...deadLetters.byCode }),
    releaseJoinState: () => {
      for (const store of stores) store.clear();
    },
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
    | 'topology'
    | 'joinState'
    | 'joinTime'
    | 'joinLatenessSeconds'
    | 'table'
    | 'enrichedStream'
    | 'deadLetterStream'
    | 'bucket'
  >,
  tables: RunTables,
  latency: LatencyRecorder,
  retries?: RetryCounters,
): WiredHandlers {
  // Clients of their own (the write tap wraps them), with @kse/core's client defaults
  // through the factory: the SDK owns whole calls, the handlers' writers partial failures.
  const clients = {
    kinesis: createKinesisClient(aws.config),
    dynamodb: createDynamoDbClient(aws.config),
    s3: aws.clients.s3,
  };
  const destroy = (): void => {
    clients.kinesis.destroy();
    clients.dynamodb.destroy();
  };
  try {
    if (retries !== undefined) {
      // The SDK's whole-call retries (throttles, 5xx, resets), by kind, for the report.
      countSdkRetries(clients.kinesis, retries);
      countSdkRetries(clients.dynamodb, retries);
    }
    const writeTap = tapTableWrites(clients.dynamodb, options.table, latency, Date.now, retries);
    const joinTap = tapStreamPuts(clients.kinesis, options.enrichedStream, retries);
    const handlers = createPipelineHandlers({
      topology: options.topology,
      joinState: options.joinState,
      joinStateTable: tables.joinState,
      join: {
        time: options.joinTime,
        ...(options.joinLatenessSeconds === undefined
          ? {}
          : { latenessSeconds: options.joinLatenessSeconds }),
      },
      clients,
      table: options.table,
      enrichedStream: options.enrichedStream,
      deadLetterStream: options.deadLetterStream,
      products: { bucket: options.bucket, key: INPUT_KEYS.products },
      ...(retries === undefined ? {} : { retries }),
    });
    return { handlers, writeTap, joinTap, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}
