import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import type { IdleShard } from '../adapters/lambdaEvent.js';
import type { Sleep } from '@kse/core';
import { LambdaError } from '../errors.js';
import type { OnFailureDestination } from './onFailureDestination.js';

/** A Lambda function for Kinesis, as the event source mapping invokes it. */
export type KinesisLambdaHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse | void | null | undefined>;

/** Where a shard without a checkpoint starts. */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** A logger the mapping reports to; Powertools' `Logger` fits. */
export interface MappingLogger {
  debug(message: string, ...extra: object[]): void;
  info(message: string, ...extra: object[]): void;
  warn(message: string, ...extra: object[]): void;
  error(message: string, ...extra: object[]): void;
}

/** What {@link EventSourceMappingOptions.onBatch} receives after each invocation. */
export interface BatchInvocationInfo {
  shardId: string;
  lane: number;
  size: number;
  firstSequenceNumber: string;
  /** Wall-clock time the handler took. */
  durationMs: number;
  /** Now − arrival of the batch's last record, when the function was invoked (Lambda's IteratorAge). */
  iteratorAgeMs: number;
  outcome: 'success' | 'partial' | 'error';
  /** Why the invocation failed (the error's name and message), for `partial` and `error`. */
  reason?: string;
}

/**
 * Options of `startEventSourceMapping`: the settings of a Lambda Kinesis event source
 * mapping (same names and meanings) plus the local wiring (clients, polling, checkpoints).
 */
export interface EventSourceMappingOptions {
  kinesis: KinesisClient;
  /** Client of the checkpoint (lease) table. */
  dynamodb: DynamoDBClient;
  streamName: string;
  handler: KinesisLambdaHandler;
  /** Name of the function (context, on-failure records); default `kse-local`. */
  functionName?: string;
  /** Namespace of this mapping's leases in the table; default the function name. */
  mappingName?: string;
  /** DynamoDB table of leases and checkpoints; default `kse-checkpoints`. */
  checkpointTable?: string;
  /** Create the checkpoint table when it is missing; default `true`. */
  createCheckpointTable?: boolean;
  /** Most records per invocation, 1–10000; default 100. */
  batchSize?: number;
  /** How long to gather records before invoking, 0–300 s; default 0. */
  maximumBatchingWindowInSeconds?: number;
  /** Concurrent batches per shard, 1–10; records of one partition key stay in order. Default 1. */
  parallelizationFactor?: number;
  /** Where a shard without a checkpoint starts; default `TRIM_HORIZON`. */
  startingPosition?: StartingPosition;
  /** For `AT_TIMESTAMP`. */
  startingPositionTimestamp?: Date;
  /** Split a failing batch in two and retry each half (splits do not use up retries). */
  bisectBatchOnFunctionError?: boolean;
  /** Retries after a failed invocation, -1 (until the record expires) to 10000; default -1. */
  maximumRetryAttempts?: number;
  /** Discard records older than this, -1 (never) or seconds; default -1. */
  maximumRecordAgeInSeconds?: number;
  /** `['ReportBatchItemFailures']` to honour partial batch responses; default none. */
  functionResponseTypes?: 'ReportBatchItemFailures'[];
  /** Where discarded records go (with their data and the reason). */
  destinationConfig?: { onFailure?: OnFailureDestination };
  /** Time from one GetRecords call to the next on a caught-up shard; default 1000 ms (AWS polls ~1/s). */
  pollIntervalMs?: number;
  /** How often to list shards to find children after a reshard; default 10 s. */
  shardSyncIntervalMs?: number;
  /** `Limit` of GetRecords, 1–10000; default 10000. */
  getRecordsLimit?: number;
  /** Records read but not yet handed to the function, per shard, before polling pauses. */
  maxBufferedRecordsPerShard?: number;
  /** Backoff between retries of a failed invocation or AWS call. */
  retryBackoff?: { baseMs: number; capMs: number };
  /**
   * How long GetRecords (or GetShardIterator) may keep failing on a shard before its worker
   * gives up: the shard's state becomes `failed` and {@link onShardError} is called.
   * Default 30 s. A stall (calls that hang without failing) is not a failure: bound it with
   * the client's request timeout.
   */
  pollRetryBudgetMs?: number;
  /**
   * Retries of a failed checkpoint write (backoff in between) before the shard's worker
   * stops (state `failed`, {@link onShardError}); default 8.
   */
  checkpointRetryAttempts?: number;
  /**
   * Called when a shard's worker stops on an error it could not ride out (reading or
   * checkpointing kept failing past its budget). The mapping goes on with its other
   * shards; the failed shard is not read again until the mapping is restarted.
   */
  onShardError?: (error: LambdaError) => void;
  /** Reported by `context.getRemainingTimeInMillis()` (not enforced); default 60. */
  timeoutSeconds?: number;
  /** Account id in the ARNs of the context; default `000000000000`. */
  accountId?: string;
  /** Identifies this process in the lease table; default a random id. */
  workerId?: string;
  /**
   * How long a shard's lease (and this worker's presence) lasts without renewal, ms;
   * renewed three times per duration. A lease held by another worker is taken only once
   * it has expired, so a worker that died without releasing its leases is replaced after
   * at most this long (a worker restarted with the same `workerId` takes its own back at
   * once). Workers of one mapping share its shards. Default 30 000.
   */
  leaseDurationMs?: number;
  logger?: MappingLogger;
  /** Called after each invocation (for metrics and benchmarks). */
  onBatch?: (info: BatchInvocationInfo) => void;
  /**
   * Called for a shard that is caught up — a GetRecords returned nothing, and every record
   * read before has been processed — so that a stateful function can move its time on
   * without traffic (e.g. the enrich handler's `sweep`: unmatched records are
   * dead-lettered within window + lateness + one poll interval). Not part of Lambda's
   * semantics (Lambda never invokes a function for an idle shard; on AWS a scheduled
   * sweeper does it); the function is still invoked only with real records. A failed
   * sweep is logged, counted (`sweepErrors`) and tried again at the next idle poll.
   */
  sweep?: (shard: IdleShard) => Promise<unknown>;
  /** Least time between two sweeps of one shard; default 0 (at most one per idle poll). */
  sweepIntervalMs?: number;
  /** Injected for tests: clock (ms), sleep, random source of the jitter. */
  now?: () => number;
  sleep?: Sleep;
  random?: () => number;
}

/** Defaults of {@link EventSourceMappingOptions}, as Lambda's where Lambda has one. */
export const DEFAULT_EVENT_SOURCE_MAPPING_OPTIONS = {
  functionName: 'kse-local',
  checkpointTable: 'kse-checkpoints',
  createCheckpointTable: true,
  batchSize: 100,
  maximumBatchingWindowInSeconds: 0,
  parallelizationFactor: 1,
  startingPosition: 'TRIM_HORIZON' as StartingPosition,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  functionResponseTypes: [] as 'ReportBatchItemFailures'[],
  pollIntervalMs: 1000,
  shardSyncIntervalMs: 10_000,
  getRecordsLimit: 10_000,
  maxBufferedRecordsPerShard: 20_000,
  retryBackoff: { baseMs: 100, capMs: 5_000 },
  pollRetryBudgetMs: 30_000,
  leaseDurationMs: 30_000,
  checkpointRetryAttempts: 8,
  sweepIntervalMs: 0,
  timeoutSeconds: 60,
  accountId: '000000000000',
} satisfies Partial<EventSourceMappingOptions>;

// zod/mini, built on first use: code that never starts a mapping (the handler bundles) pays
// nothing for it.
const between = (min: number, max: number) => z.number().check(z.gte(min), z.lte(max));
const intBetween = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const atLeast = (min: number) => z.number().check(z.gte(min));
let settingsSchema: z.ZodMiniType | undefined;
const settings = () =>
  (settingsSchema ??= z.object({
    streamName: z.string().check(z.minLength(1)),
    functionName: z.string().check(z.minLength(1)),
    checkpointTable: z.string().check(z.minLength(3)),
    batchSize: intBetween(1, 10_000),
    maximumBatchingWindowInSeconds: between(0, 300),
    parallelizationFactor: intBetween(1, 10),
    startingPosition: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']),
    maximumRetryAttempts: intBetween(-1, 10_000),
    // Lambda's floor is 60 s; lower values are allowed locally so that tests stay short.
    maximumRecordAgeInSeconds: between(-1, 604_800),
    pollIntervalMs: atLeast(0),
    sweepIntervalMs: atLeast(0),
    shardSyncIntervalMs: atLeast(1),
    getRecordsLimit: intBetween(1, 10_000),
    maxBufferedRecordsPerShard: z.number().check(z.int(), z.gte(1)),
    timeoutSeconds: z.number().check(z.positive()),
    pollRetryBudgetMs: atLeast(0),
    leaseDurationMs: z.number().check(z.int(), z.gte(3)),
    checkpointRetryAttempts: intBetween(0, 100),
  }));

/** The options with defaults applied, validated. */
export type ResolvedMappingOptions = EventSourceMappingOptions &
  typeof DEFAULT_EVENT_SOURCE_MAPPING_OPTIONS & { mappingName: string };

/** Merges defaults and validates; a bad option fails with a message naming it. */
export function resolveMappingOptions(options: EventSourceMappingOptions): ResolvedMappingOptions {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  );
  const merged = { ...DEFAULT_EVENT_SOURCE_MAPPING_OPTIONS, ...defined } as ResolvedMappingOptions;
  const result = z.safeParse(settings(), merged, { error: en().localeError });
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join('.') ?? 'options';
    throw new LambdaError('KSE_LAMBDA_CONFIG_INVALID', `option ${name}: ${issue?.message}`, {
      variable: name,
      retryable: false,
    });
  }
  if (merged.startingPosition === 'AT_TIMESTAMP' && !merged.startingPositionTimestamp) {
    throw new LambdaError(
      'KSE_LAMBDA_CONFIG_INVALID',
      'option startingPositionTimestamp: required with AT_TIMESTAMP',
      { variable: 'startingPositionTimestamp', retryable: false },
    );
  }
  return { ...merged, mappingName: options.mappingName ?? merged.functionName };
}
