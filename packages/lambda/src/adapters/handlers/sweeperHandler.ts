import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDbJoinStore, IntervalJoin } from '@kse/enrich';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { dynamoDbClientOf, kinesisClientOf, type HandlerBaseOptions } from './common.js';
import { minLengthString, readConfig } from './config.js';
import { sendDeadLetters, withStream } from './deadLetters.js';
import {
  checkJoinStateTtl,
  joinConfigExplicit,
  joinConfigShape,
  joinSettingsOf,
  type JoinConfigOptions,
} from './joinConfig.js';
import { createObservability } from './observability.js';
import { isCaughtUp } from './shardProgress.js';
import { ShardLineage, type ShardInfo } from './shardLineage.js';

/** Options of {@link createSweeperHandler}; each falls back to its environment variable. */
export interface SweeperHandlerOptions extends HandlerBaseOptions, JoinConfigOptions {
  /** The stream the enrich function reads (env `SOURCE_STREAM`): its shards are the scopes. */
  sourceStream?: string;
  /** DynamoDB table of the join state (env `JOIN_STATE_TABLE`). */
  joinStateTable?: string;
  /**
   * No shard is started with less than this left of the invocation (its remaining shards
   * wait for the next run). Default 10,000 ms.
   */
  reserveMs?: number;
}

/** Why the sweeper left a shard alone this time. */
export type SweepSkipReason = 'no state' | 'behind' | 'children behind' | 'out of time';

/** What one run of the sweeper did. */
export interface SweeperReport {
  /** Shards of the stream, open and closed. */
  shards: number;
  /** Shards swept. */
  swept: string[];
  skipped: { shardId: string; reason: SweepSkipReason }[];
  /** Records dead-lettered (unmatched items and orders). */
  deadLettered: number;
  /** Keys left alone because the shard's consumer changed them during the sweep. */
  conflicts: number;
}

/** A scheduled Lambda handler (an EventBridge schedule's event is ignored). */
export type SweeperHandler = (event?: unknown, context?: Context) => Promise<SweeperReport>;

const sweeperConfig = () =>
  z
    .object({
      SOURCE_STREAM: minLengthString(1),
      JOIN_STATE_TABLE: minLengthString(3),
      ...joinConfigShape(),
      DEAD_LETTER_STREAM: z.optional(minLengthString(1)),
    })
    .check(z.superRefine(checkJoinStateTtl));

const DEFAULT_RESERVE_MS = 10_000;

/**
 * Builds the sweeper: on AWS, a shard that gets no records gets no invocations, so its
 * unmatched items and orders would wait for traffic (or be lost to TTL). Run on a schedule
 * (`SWEEP_INTERVAL_SECONDS`), the sweeper sweeps the join state of every shard of the
 * source stream (`IntervalJoin.sweep`): the shard's join time moves on by the wall clock,
 * and what can no longer match is dead-lettered, then committed — the same
 * commit-after-output path as the enrich handler.
 *
 * It sweeps only a shard that is caught up (no record after the checkpoint the enrich
 * function committed with its state, so nothing older is still to come); a closed shard
 * also waits until each child has taken over its keys or holds no records. It writes each
 * key only if the enrich function has not changed it meanwhile (conditional writes; such
 * keys are left for the next run), and never the shard's clock: the two never undo each
 * other's work (at worst a record is dead-lettered twice, identically). The state table's
 * TTL must outlast window + lateness + sweep interval + sweep budget (checked at cold
 * start, `JOIN_STATE_TTL_SECONDS`).
 *
 * @example
 * ```ts
 * export const handler = createSweeperHandler(); // SOURCE_STREAM, JOIN_STATE_TABLE, DEAD_LETTER_STREAM, JOIN_*
 * ```
 */
export function createSweeperHandler(options: SweeperHandlerOptions = {}): SweeperHandler {
  const config = readConfig(sweeperConfig(), options.env ?? process.env, {
    SOURCE_STREAM: options.sourceStream,
    JOIN_STATE_TABLE: options.joinStateTable,
    ...joinConfigExplicit(options),
    DEAD_LETTER_STREAM: options.deadLetterStream,
  });
  const join = joinSettingsOf(config);
  const kinesis = kinesisClientOf(options);
  const dynamodb = dynamoDbClientOf(options);
  const observability = createObservability('kse-sweeper', options);
  const lineage = new ShardLineage(kinesis);
  const now = options.now ?? Date.now;
  const reserveMs = options.reserveMs ?? DEFAULT_RESERVE_MS;
  const stream = config.SOURCE_STREAM;
  const storeOf = (shardId: string) =>
    new DynamoDbJoinStore({
      client: dynamodb,
      tableName: config.JOIN_STATE_TABLE,
      scope: shardId,
      ttlMs: join.ttlMs,
    });
  const deadLetterTarget = {
    kinesis,
    streamName: config.DEAD_LETTER_STREAM,
    logger: observability.logger,
  };

  /** Why a shard must wait, or undefined when it may be swept. */
  const mustWait = async (
    shard: ShardInfo,
    checkpoint: string | undefined,
  ): Promise<SweepSkipReason | undefined> => {
    if (!(await isCaughtUp(kinesis, stream, shard.shardId, checkpoint))) return 'behind';
    if (!shard.closed) return undefined;
    for (const child of await lineage.children(stream, shard.shardId)) {
      const meta = await storeOf(child.shardId).get([]);
      if (meta.adopted === true) continue;
      if (!(await isCaughtUp(kinesis, stream, child.shardId, meta.checkpoint))) {
        return 'children behind';
      }
    }
    return undefined;
  };

  return async (_event, context) => {
    const report: SweeperReport = {
      shards: 0,
      swept: [],
      skipped: [],
      deadLettered: 0,
      conflicts: 0,
    };
    const shards = [...(await lineage.shards(stream, true)).values()];
    report.shards = shards.length;
    for (const shard of shards) {
      const shardId = shard.shardId;
      if (context !== undefined && context.getRemainingTimeInMillis() < reserveMs) {
        report.skipped.push({ shardId, reason: 'out of time' });
        continue;
      }
      const store = storeOf(shardId);
      const meta = await store.get([]);
      if (meta.maxTime === undefined) {
        report.skipped.push({ shardId, reason: 'no state' });
        continue;
      }
      // Read before the check: every record that arrived before it has been processed.
      const at = now();
      const wait = await mustWait(shard, meta.checkpoint);
      if (wait !== undefined) {
        report.skipped.push({ shardId, reason: wait });
        continue;
      }
      const shardJoin = new IntervalJoin({
        store,
        windowMs: join.windowMs,
        time: join.time,
        allowedLatenessMs: join.allowedLatenessMs,
      });
      const batch = await shardJoin.sweep(at, { ifUnchanged: true });
      try {
        await sendDeadLetters(
          withStream(batch.deadLetters, stream),
          deadLetterTarget,
          options.putRecords,
        );
      } catch (error) {
        await batch.discard();
        throw error;
      }
      await batch.commit();
      report.swept.push(shardId);
      report.deadLettered += batch.deadLetters.length;
      report.conflicts += batch.stats.conflicts;
    }
    const { logger, metrics } = observability;
    metrics.addMetric('SweptShards', MetricUnit.Count, report.swept.length);
    metrics.addMetric('SkippedShards', MetricUnit.Count, report.skipped.length);
    metrics.addMetric('DeadLettered', MetricUnit.Count, report.deadLettered);
    metrics.addMetric('SweepConflicts', MetricUnit.Count, report.conflicts);
    metrics.publishStoredMetrics();
    logger.info('sweep done', { awsRequestId: context?.awsRequestId, ...report });
    return report;
  };
}
