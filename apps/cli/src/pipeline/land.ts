import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { RetryCounters } from '@kse/core';
import { createKinesisClient, type AwsClients, type AwsConfig } from '@kse/local-stack';
import { REPLAY_SDK_MAX_ATTEMPTS, replay, type ReplaySummary } from '@kse/replay';
import type { PipelineSample, ProgressWriter } from '../report/index.js';
import type { WriteTap } from './taps.js';
import { INPUT_KEYS, type RunInput } from './input.js';
import type { RunningMappings } from './mappings.js';
import type { ResolvedRunOptions } from './options.js';
import type { PhaseTimer } from './phaseTimer.js';
import type { Ticker } from './sampler.js';
import type { RunCounters } from './types.js';

/**
 * The Kinesis client of a replay (`kse run`'s and `kse replay`'s): the client defaults but
 * for the SDK's attempts, {@link REPLAY_SDK_MAX_ATTEMPTS} (or the `maxAttempts` the
 * configuration states). The SDK owns whole PutRecords calls, and a replay has no re-drive
 * behind it: a call the SDK gives up on dead-letters its records (up to 500), where a
 * handler's failed batch is retried by the event source mapping.
 */
export function replayKinesisClient(config: AwsConfig): KinesisClient {
  return createKinesisClient(config, {
    maxAttempts: config.maxAttempts ?? REPLAY_SDK_MAX_ATTEMPTS,
  });
}

/** Event-time orders per second the generator writes (its default `rate`). */
const GENERATOR_ORDERS_PER_SECOND = 1000;
const ITEMS_PER_ORDER = 2;

/** What {@link replayAndLand} works with. */
export interface LandContext {
  options: Pick<
    ResolvedRunOptions,
    'bucket' | 'sourceStream' | 'rate' | 'aggregate' | 'sampleMs' | 'deadlineMs' | 'idleMs'
  >;
  clients: Pick<AwsClients, 'kinesis' | 's3'>;
  phases: PhaseTimer;
  input: RunInput;
  workDir: string;
  counters: RunCounters;
  /** Counts the rows that have landed. */
  writeTap: WriteTap;
  /** The samples taken so far: waiting ends when they stop moving. */
  samples: readonly PipelineSample[];
  log(message: string): void;
  now(): number;
  startedAt: number;
  /** Aborts the replay and the wait (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Replay from the first record of this orderId on (a resumed run). */
  startId?: number;
  /**
   * Told the orderId of the last line of the longest run of input lines Kinesis has
   * acknowledged, each time it moves (a resumable run keeps it in its manifest).
   */
  onAcknowledged?(orderId: number): void;
  /** Told once the replay has ended. */
  onReplayed?(): void;
  /** Counts the replay's re-sent entries by kind (`kinesis.<ErrorCode>`), when given. */
  retryCounters?: RetryCounters;
}

/**
 * The `replay` phase (the orders file from S3 into the source stream, at `rate`) and,
 * at the same time, the `land` phase: waits until every expected row has landed, the
 * deadline has passed, or nothing has moved for `idleMs`. Returns `true` when it stopped
 * short of every row (timed out).
 */
export async function replayAndLand(context: LandContext): Promise<boolean> {
  const { phases, input, writeTap } = context;
  const replayDone = phases.run('replay', () => replayInput(context));
  void replayDone.finally(() => context.onReplayed?.()).catch(() => undefined);
  const landed = await phases.run('land', async () => {
    const summary = await replayOrAbandon(replayDone, context.signal);
    if (summary === undefined) {
      context.log('replay abandoned: its calls to a stalled endpoint did not return');
      return false;
    }
    context.counters.replayed = summary.sent;
    context.counters.replayDeadLettered = summary.deadLettered;
    if (summary.error !== null && context.signal?.aborted !== true) {
      context.log(`replay stopped early: ${summary.error.message}`);
    }
    if (summary.deadLettered > 0) {
      // Their rows can never land: say so now, not only as a count after the wait.
      context.log(
        `replay dead-lettered ${summary.deadLettered} of ${summary.read} records` +
          (summary.failedRequests > 0
            ? ` (${summary.failedRequests} PutRecords calls failed after the SDK's retries)`
            : ''),
      );
    }
    if (context.options.aggregate) {
      context.log(
        `replay: ${summary.sent} records sent in ${summary.kinesisRecords} KPL-aggregated records`,
      );
    }
    await waitForRows(context);
    return writeTap.landed >= input.expectedRows;
  });
  if (!landed && context.signal?.aborted !== true) {
    context.log(`deadline passed with ${writeTap.landed} of ${input.expectedRows} rows landed`);
  }
  return !landed;
}

/**
 * Stops the traffic once the run has landed (or failed to): the periodic samples, then the
 * mappings (with `abandon`, an endpoint is down: in-flight calls are waited for a while
 * only); then takes the last sample, once nothing moves any more.
 */
export async function stopTraffic(
  ticker: Ticker,
  mappings: RunningMappings,
  progress: ProgressWriter,
  abandon = false,
): Promise<void> {
  ticker.stop();
  await mappings.stop(abandon);
  ticker.tick();
  progress.done();
}

/** How long an aborted replay is waited for before it is abandoned (its calls may hang). */
const ABANDON_REPLAY_AFTER_MS = 10_000;

// The replay's summary; once `signal` has aborted (an endpoint down, an interrupt), waits
// at most ABANDON_REPLAY_AFTER_MS more for it, then gives up on it (undefined).
async function replayOrAbandon(
  replayDone: Promise<ReplaySummary>,
  signal: AbortSignal | undefined,
): Promise<ReplaySummary | undefined> {
  if (signal === undefined) return replayDone;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const abandoned = new Promise<undefined>((resolve) => {
    onAbort = () => {
      timer = setTimeout(() => resolve(undefined), ABANDON_REPLAY_AFTER_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([replayDone, abandoned]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

// Replays the orders file from the bucket, with the replay's counters kept in `counters`.
function replayInput(context: LandContext): Promise<ReplaySummary> {
  const { options, counters } = context;
  let acknowledged: number | null = null;
  const speedup =
    options.rate === 'max'
      ? 0
      : options.rate / (GENERATOR_ORDERS_PER_SECOND * (1 + ITEMS_PER_ORDER));
  return replay({
    sources: [`s3://${options.bucket}/${INPUT_KEYS.orders}`],
    kinesis: context.clients.kinesis,
    s3: context.clients.s3,
    streamName: options.sourceStream,
    partitionKey: 'orderId',
    aggregate: options.aggregate,
    speedup,
    deadLetterPath: join(context.workDir, 'replay-dead-letters.ndjson'),
    statsIntervalMs: Math.min(options.sampleMs, 1000),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.startId === undefined ? {} : { startId: context.startId }),
    ...(context.retryCounters === undefined ? {} : { retryCounters: context.retryCounters }),
    onStats: (stats) => {
      counters.replayed = stats.sent;
      counters.replayRetries = stats.retries;
      counters.replayDeadLettered = stats.deadLettered;
      const id = stats.acknowledged?.id ?? null;
      if (id !== null && id !== acknowledged) {
        acknowledged = id;
        context.onAcknowledged?.(id);
      }
    },
  });
}

// Polls until every expected row has landed, the deadline has passed, or the samples have
// not moved for `idleMs` (the pipeline is stuck: waiting on would not help).
async function waitForRows(context: LandContext): Promise<void> {
  const { options, now, samples, writeTap } = context;
  const deadline = context.startedAt + options.deadlineMs;
  let lastState = '';
  let lastChange = now();
  while (
    writeTap.landed < context.input.expectedRows &&
    now() < deadline &&
    context.signal?.aborted !== true
  ) {
    await new Promise((r) => setTimeout(r, Math.min(options.sampleMs, 100)));
    const latest = samples[samples.length - 1]!;
    const state = JSON.stringify([latest.counts, latest.retries]);
    if (state !== lastState) {
      lastState = state;
      lastChange = now();
    } else if (now() - lastChange > options.idleMs) {
      context.log(`nothing moved for ${options.idleMs / 1000} s; giving up waiting`);
      break;
    }
  }
}
