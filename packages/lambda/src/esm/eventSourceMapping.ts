import { randomUUID } from 'node:crypto';
import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { EventSourceInfo } from '../adapters/lambdaEvent.js';
import { sleep as defaultSleep } from '@kse/core';
import { LambdaError, isLambdaError } from '../errors.js';
import { CheckpointStore, SHARD_END } from './checkpointStore.js';
import { waitUnlessStopped } from './waitUnlessStopped.js';
import {
  resolveMappingOptions,
  type EventSourceMappingOptions,
  type ResolvedMappingOptions,
} from './eventSourceMappingOptions.js';
import { Notifier } from './notifier.js';
import { createDestinationSender } from './onFailureDestination.js';
import {
  ShardWorker,
  type MappingCounters,
  type ShardStart,
  type ShardStats,
} from './shardWorker.js';

/** A snapshot of a running mapping. */
export interface EventSourceMappingStats {
  counters: MappingCounters;
  /** Every shard this mapping has worked on, by shard id. */
  shards: Record<string, ShardStats>;
  /** Shards finished (checkpointed `SHARD_END`) by this or an earlier run. */
  finishedShards: string[];
  /**
   * Shards whose worker stopped on an error (state `failed`, with the error): the mapping
   * is in error, and does not read them again until it is restarted.
   */
  failedShards: { shardId: string; error: string }[];
}

/** A running local event source mapping. */
export interface EventSourceMapping {
  readonly streamArn: string;
  readonly workerId: string;
  /** Counters, and per-shard iterator age and checkpoint. */
  stats(): EventSourceMappingStats;
  /** Lists shards now (children of a reshard start once their parents are finished). */
  syncShards(): Promise<void>;
  /**
   * Stops polling; in-flight invocations finish and are checkpointed; leases are released.
   * Records read but not yet invoked are not checkpointed, so the next run reads them.
   */
  stop(): Promise<void>;
}

/**
 * Starts a local Kinesis event source mapping: polls every shard of `streamName` through
 * the SDK and invokes `handler` with Lambda-shaped events, with Lambda's batching, retry,
 * bisect, partial-batch-response and on-failure semantics, checkpointing each shard in a
 * DynamoDB lease table so that a new run resumes where the last one stopped.
 *
 * @example
 * ```ts
 * const mapping = await startEventSourceMapping({
 *   kinesis, dynamodb, streamName: 'OrdersEnrichedStream', handler: sinkHandler,
 *   batchSize: 500, parallelizationFactor: 5, startingPosition: 'TRIM_HORIZON',
 *   functionResponseTypes: ['ReportBatchItemFailures'],
 *   destinationConfig: { onFailure: { type: 'file', path: 'dead-letter.ndjson' } },
 * });
 * // …
 * await mapping.stop();
 * ```
 */
export async function startEventSourceMapping(
  options: EventSourceMappingOptions,
): Promise<EventSourceMapping> {
  const mapping = new LocalEventSourceMapping(resolveMappingOptions(options));
  await mapping.start();
  return mapping;
}

class LocalEventSourceMapping implements EventSourceMapping {
  readonly workerId: string;
  streamArn = '';
  private readonly controller = new AbortController();
  private readonly store: CheckpointStore;
  private readonly workers = new Map<string, { worker: ShardWorker; done: Promise<void> }>();
  private readonly shardStats = new Map<string, ShardStats>();
  private readonly finished = new Set<string>();
  private readonly failed = new Map<string, string>();
  /** Closed shards skipped at start under LATEST: their children start at LATEST too. */
  private readonly skipped = new Set<string>();
  private initialShards: Set<string> | undefined;
  private readonly syncNotifier = new Notifier();
  private syncing: Promise<void> = Promise.resolve();
  private syncLoop: Promise<void> = Promise.resolve();
  private renewLoop: Promise<void> = Promise.resolve();
  /** Shards this worker is giving up to another worker (stopping, then released). */
  private readonly shedding = new Set<string>();
  private stopping: Promise<void> | undefined;
  private source!: EventSourceInfo;
  private readonly counters: MappingCounters = {
    recordsRead: 0,
    recordsSucceeded: 0,
    recordsDeadLettered: 0,
    invocations: 0,
    functionErrors: 0,
    partialFailures: 0,
    retries: 0,
    bisections: 0,
    checkpoints: 0,
    pollErrors: 0,
    sweeps: 0,
    sweepErrors: 0,
  };

  constructor(private readonly options: ResolvedMappingOptions) {
    this.workerId = options.workerId ?? `kse-${randomUUID()}`;
    this.store = new CheckpointStore({
      dynamodb: options.dynamodb,
      tableName: options.checkpointTable,
      mappingName: options.mappingName,
      workerId: this.workerId,
      leaseDurationMs: options.leaseDurationMs,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  async start(): Promise<void> {
    const { kinesis, streamName } = this.options;
    const summary = await kinesis
      .send(new DescribeStreamSummaryCommand({ StreamName: streamName }))
      .catch((error: unknown) => {
        throw new LambdaError(
          'KSE_LAMBDA_AWS_FAILED',
          `stream ${streamName}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      });
    this.streamArn = summary.StreamDescriptionSummary?.StreamARN ?? '';
    const region = await kinesis.config.region();
    this.source = {
      streamArn: this.streamArn,
      shardId: '',
      region,
      invokeIdentityArn: `arn:aws:iam::${this.options.accountId}:role/${this.options.functionName}-role`,
    };
    if (this.options.createCheckpointTable) await this.store.ensureTable();
    await this.syncShards();
    this.syncLoop = this.runSyncLoop();
    this.renewLoop = this.runRenewLoop();
  }

  // Renews the leases this worker holds (and its presence) three times per lease duration;
  // a lease another worker took stops that shard's worker (state `lease-lost`).
  private async runRenewLoop(): Promise<void> {
    const signal = this.controller.signal;
    const interval = Math.max(1, Math.floor(this.options.leaseDurationMs / 3));
    const sleep = this.options.sleep ?? defaultSleep;
    while (!signal.aborted) {
      await waitUnlessStopped(sleep, interval, signal);
      if (signal.aborted) return;
      await this.store.heartbeat().catch((error: unknown) => {
        this.options.logger?.warn('worker heartbeat failed; will retry', {
          error: (error as Error).message,
        });
      });
      for (const shardId of this.store.ownedShards()) {
        try {
          await this.store.renew(shardId);
        } catch (error) {
          if (isLambdaError(error) && error.code === 'KSE_LAMBDA_LEASE_LOST') {
            this.options.logger?.error('lease lost; stopping this shard', { shardId });
            this.workers.get(shardId)?.worker.leaseLost();
          } else {
            this.options.logger?.warn('lease renewal failed; will retry', {
              shardId,
              error: (error as Error).message,
            });
          }
        }
      }
    }
  }

  private async runSyncLoop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await this.syncNotifier.wait(this.options.shardSyncIntervalMs, signal);
      if (signal.aborted) return;
      try {
        await this.syncShards();
      } catch (error) {
        this.options.logger?.warn('shard sync failed; will retry', {
          error: (error as Error).message,
        });
      }
    }
  }

  syncShards(): Promise<void> {
    // One sync at a time: a shard must not be started twice.
    const next = this.syncing.then(() => this.sync());
    this.syncing = next.catch(() => undefined);
    return next;
  }

  private async sync(): Promise<void> {
    if (this.controller.signal.aborted) return;
    const shards = await this.listShards();
    const byId = new Map(shards.map((shard) => [shard.ShardId ?? '', shard]));
    this.initialShards ??= new Set(byId.keys());
    // The shards still to read are shared among the mapping's live workers: this one takes
    // up to its share, and gives back (stops, checkpoints, releases) what is above it.
    const liveWorkers = await this.store.heartbeat();
    const open = shards.filter((shard) => !this.finished.has(shard.ShardId ?? '')).length;
    const share = Math.max(1, Math.ceil(open / liveWorkers));
    const held = [...this.workers.keys()].filter((id) => !this.shedding.has(id));
    for (const shardId of held.slice(share)) {
      this.shedding.add(shardId);
      this.options.logger?.info('giving a shard to another worker', { shardId, liveWorkers });
      this.workers.get(shardId)?.worker.abort();
    }
    for (const shard of shards) {
      const shardId = shard.ShardId ?? '';
      if (this.workers.has(shardId) || this.finished.has(shardId) || this.failed.has(shardId)) {
        continue;
      }
      if (this.workers.size - this.shedding.size >= share) break;
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
        (parent): parent is string => parent !== undefined && byId.has(parent),
      );
      if (!(await this.parentsFinished(parents))) continue;
      if (this.controller.signal.aborted) return;
      let latestThisRun = false;
      const lease = await this.store.acquire(shardId, () => {
        const initial = this.initialCheckpoint(shard, parents);
        latestThisRun = initial.latest;
        return initial.checkpoint;
      });
      if (lease === undefined) continue; // another live worker holds it
      if (lease.checkpoint === SHARD_END) {
        this.finished.add(shardId);
        if (latestThisRun) this.skipped.add(shardId);
        await this.store.release(shardId);
        continue;
      }
      const start: ShardStart = latestThisRun ? { type: 'LATEST' } : toShardStart(lease.checkpoint);
      this.startWorker(shardId, start);
    }
  }

  private async parentsFinished(parents: string[]): Promise<boolean> {
    for (const parent of parents) {
      if (this.finished.has(parent)) continue;
      if (this.workers.has(parent)) return false;
      const lease = await this.store.get(parent);
      if (lease?.checkpoint !== SHARD_END) return false;
      this.finished.add(parent);
    }
    return true;
  }

  /** Where a shard with no lease starts (stored as its first checkpoint). */
  private initialCheckpoint(
    shard: Shard,
    parents: string[],
  ): { checkpoint: string; latest: boolean } {
    const shardId = shard.ShardId ?? '';
    const atStart =
      this.initialShards?.has(shardId) === true &&
      parents.every((parent) => this.skipped.has(parent));
    // A shard that appeared after start, or whose parents were read, is read from its start.
    if (!atStart) return { checkpoint: 'TRIM_HORIZON', latest: false };
    const now = (this.options.now ?? Date.now)();
    switch (this.options.startingPosition) {
      case 'TRIM_HORIZON':
        return { checkpoint: 'TRIM_HORIZON', latest: false };
      case 'AT_TIMESTAMP':
        return {
          checkpoint: `AT_TIMESTAMP:${this.options.startingPositionTimestamp?.getTime() ?? now}`,
          latest: false,
        };
      case 'LATEST':
        // A closed shard has nothing after LATEST. An open one reads from LATEST now, and a
        // restart before the first checkpoint resumes at this instant, skipping nothing.
        if (shard.SequenceNumberRange?.EndingSequenceNumber !== undefined) {
          return { checkpoint: SHARD_END, latest: true };
        }
        return { checkpoint: `AT_TIMESTAMP:${now}`, latest: true };
    }
  }

  private startWorker(shardId: string, start: ShardStart): void {
    const worker = new ShardWorker(
      shardId,
      start,
      this.options,
      this.options.kinesis,
      this.store,
      { ...this.source, shardId },
      this.counters,
      this.options.destinationConfig?.onFailure
        ? createDestinationSender(this.options.destinationConfig.onFailure)
        : undefined,
      this.controller.signal,
    );
    this.shardStats.set(shardId, worker.stats);
    this.options.logger?.info('shard started', { shardId, start });
    const done = worker.run().then(
      async () => {
        this.workers.delete(shardId);
        this.shedding.delete(shardId);
        if (worker.stats.state === 'failed') this.failed.set(shardId, worker.stats.error ?? '');
        if (worker.stats.state === 'ended') {
          this.finished.add(shardId);
          this.options.logger?.info('shard finished', { shardId });
          this.syncNotifier.notify(); // children may start now
        }
        await this.store.release(shardId);
      },
      (error: unknown) => {
        this.workers.delete(shardId);
        this.shedding.delete(shardId);
        this.failed.set(shardId, (error as Error).message);
        this.options.logger?.error('shard worker failed', { shardId, error });
      },
    );
    this.workers.set(shardId, { worker, done });
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const response = await this.options.kinesis
        .send(
          new ListShardsCommand(
            nextToken ? { NextToken: nextToken } : { StreamName: this.options.streamName },
          ),
        )
        .catch((error: unknown) => {
          throw new LambdaError(
            'KSE_LAMBDA_AWS_FAILED',
            `ListShards: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        });
      shards.push(...(response.Shards ?? []));
      nextToken = response.NextToken;
    } while (nextToken);
    return shards;
  }

  stats(): EventSourceMappingStats {
    return {
      counters: { ...this.counters },
      shards: Object.fromEntries(
        [...this.shardStats].map(([shardId, stats]) => [shardId, { ...stats }]),
      ),
      finishedShards: [...this.finished],
      failedShards: [...this.failed].map(([shardId, error]) => ({ shardId, error })),
    };
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.controller.abort();
      this.syncNotifier.notify();
      await this.syncLoop;
      await this.renewLoop;
      await this.syncing;
      await Promise.all([...this.workers.values()].map((entry) => entry.done));
      await this.store.leave();
    })();
    return this.stopping;
  }
}

function toShardStart(checkpoint: string): ShardStart {
  if (checkpoint === 'TRIM_HORIZON') return { type: 'TRIM_HORIZON' };
  if (checkpoint === 'LATEST') return { type: 'LATEST' };
  if (checkpoint.startsWith('AT_TIMESTAMP:')) {
    return { type: 'AT_TIMESTAMP', timestamp: new Date(Number(checkpoint.slice(13))) };
  }
  return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint };
}
