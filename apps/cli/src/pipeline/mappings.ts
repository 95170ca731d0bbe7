import { join } from 'node:path';
import { startEventSourceMapping, type EventSourceMapping } from '@kse/lambda';
import type { AwsClients } from '@kse/local-stack';
import type { PipelineHandlers } from './handlers.js';
import type { RunPipelineOptions } from './options.js';

/** Settings of one local event source mapping. */
type MappingSettings = Parameters<typeof startEventSourceMapping>[0];

/** How long stopping waits for in-flight calls when an endpoint is down. */
const ABANDON_AFTER_MS = 10_000;

async function bounded(stopping: Promise<unknown>, abandon: boolean): Promise<void> {
  if (!abandon) {
    await stopping;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stopping.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ABANDON_AFTER_MS))),
  ]);
  clearTimeout(timer);
}

/** The settings the run's mappings share (all but the stream, function and handler). */
export type SharedMappingSettings = Omit<
  MappingSettings,
  'streamName' | 'functionName' | 'handler' | 'parallelizationFactor'
>;

/** What {@link sharedMappingSettings} needs to know of the run. */
export interface MappingContext {
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb'>;
  checkpointTable: string;
  pollMs: number;
  workDir: string;
  /** The run created its streams: read them from the trim horizon. */
  freshStreams: boolean;
  /** In streams that existed before, records older than the run's start are not the run's. */
  startedAt: number;
  log(message: string): void;
  /** A shard's worker stopped on an error past its budget (the run cannot be exact). */
  onShardError?(error: Error): void;
  /** The lease owner (a resumable run's, from its manifest); default a fresh one per mapping. */
  workerId?: string;
}

/** The event source mappings of a run: started one by one, stopped together. */
export class RunningMappings {
  /** Every mapping started, in order: the source stream's, then (seed) the enriched one's. */
  readonly all: EventSourceMapping[] = [];
  private running: EventSourceMapping[] = [];

  /** Starts one mapping. */
  async start(settings: MappingSettings): Promise<void> {
    const mapping = await startEventSourceMapping(settings);
    this.all.push(mapping);
    this.running.push(mapping);
  }

  /**
   * Stops the mappings still running; a mapping that fails to stop fails the run. With
   * `abandon` (the run is failing because an endpoint is down), waits at most
   * {@link ABANDON_AFTER_MS} for in-flight calls that may never return.
   */
  async stop(abandon = false): Promise<void> {
    await bounded(Promise.all(this.running.splice(0).map((m) => m.stop())), abandon);
  }

  /** Stops whatever still runs after the run failed, whatever the outcome. */
  async stopSettled(abandon = false): Promise<void> {
    await bounded(Promise.allSettled(this.running.map((m) => m.stop())), abandon);
  }
}

/**
 * The settings the enrich and sink mappings share, with Lambda's semantics: batches of
 * 500, partial batch responses, bisection on error, 10 retries, then the batch to an
 * on-failure file in the work directory. Warnings and errors go to `log`.
 */
export function sharedMappingSettings(context: MappingContext): SharedMappingSettings {
  const logAt =
    (level: string) =>
    (message: string, ...extra: object[]) =>
      context.log(`${level}: ${message}${extra.length > 0 ? ' ' + JSON.stringify(extra) : ''}`);
  return {
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: logAt('warn'),
      error: logAt('error'),
    },
    kinesis: context.clients.kinesis,
    dynamodb: context.clients.dynamodb,
    ...(context.onShardError === undefined ? {} : { onShardError: context.onShardError }),
    ...(context.workerId === undefined ? {} : { workerId: context.workerId }),
    checkpointTable: context.checkpointTable,
    batchSize: 500,
    pollIntervalMs: context.pollMs,
    // Read ahead a few batches per shard, no more: a stage that falls behind leaves its
    // backlog in the stream instead of this process's heap (up to 30,000 records per
    // shard with the defaults, ~1 KB each).
    getRecordsLimit: 1_000,
    maxBufferedRecordsPerShard: 2_500,
    functionResponseTypes: ['ReportBatchItemFailures' as const],
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 10,
    destinationConfig: {
      onFailure: {
        type: 'file' as const,
        path: join(context.workDir, 'mapping-dead-letters.ndjson'),
      },
    },
    ...(context.freshStreams
      ? { startingPosition: 'TRIM_HORIZON' as const }
      : {
          startingPosition: 'AT_TIMESTAMP' as const,
          startingPositionTimestamp: new Date(context.startedAt),
        }),
  };
}

/**
 * Starts the enrich handler's mapping on the source stream and, in the seed topology, the
 * sink's on the enriched stream (parallelization factor 5: five batches per shard at once).
 * The enrich mapping sweeps each shard it finds idle (every record read so far processed)
 * at each poll that returns nothing: time moves on without traffic, so an unmatched item
 * or order is dead-lettered within window + lateness + one poll interval even if its shard
 * gets no other record (what the scheduled sweeper does on AWS).
 */
export async function startMappings(
  mappings: RunningMappings,
  shared: SharedMappingSettings,
  options: Pick<RunPipelineOptions, 'sourceStream' | 'enrichedStream' | 'topology'>,
  handlers: PipelineHandlers,
  /** False while idle shards must not be swept (a resumed run's replay, by event time). */
  maySweep: () => boolean = () => true,
): Promise<void> {
  await mappings.start({
    ...shared,
    streamName: options.sourceStream,
    functionName: 'kse-enrich',
    handler: handlers.enrich,
    sweep: (shard) => (maySweep() ? handlers.enrich.sweep(shard) : Promise.resolve()),
    parallelizationFactor: 1,
  });
  if (options.topology === 'seed' && handlers.sink !== undefined) {
    await mappings.start({
      ...shared,
      streamName: options.enrichedStream,
      functionName: 'kse-sink',
      handler: handlers.sink,
      parallelizationFactor: 5,
    });
  }
}
