import type { EventSourceMapping } from '@kse/lambda';
import type {
  LatencyRecorder,
  PipelineSample,
  ProgressWriter,
  StageTotals,
} from '../report/index.js';
import type { WiredHandlers } from './handlers.js';
import type { RunInput } from './input.js';
import type { PeakRss } from './memory.js';
import type { Topology } from './options.js';
import type { RunCounters } from './types.js';

/** Where {@link createSampler} reads the run's counters. */
export interface SampleSources {
  counters: RunCounters;
  /** The source stream's mapping, then (seed) the enriched stream's. */
  mappings: readonly EventSourceMapping[];
  wired: Pick<WiredHandlers, 'handlers' | 'writeTap' | 'joinTap'>;
  topology: Topology;
  /** Sampled along, for the report's peak RSS. */
  memory: PeakRss;
  now(): number;
  startedAt: number;
  /** Retries by kind counted by the run's clients and loops (`sdk.…`, `kinesis.…`, `dynamodb.…`). */
  retries?: { readonly byKind: Record<string, number> };
  /** Faults injected so far by kind (`--faults`), or undefined. */
  faultsInjected?: () => Record<string, number> | undefined;
  /** The rows' latencies: each sample takes the p50 and p99 of those recorded since the last. */
  latency?: LatencyRecorder;
}

/**
 * Returns a function that takes one {@link PipelineSample} of the run: the count of each
 * stage (generated and replayed from the counters; joined and written from the taps;
 * dead letters of the replay, the mappings and the handlers), iterator ages and retries.
 */
export function createSampler(sources: SampleSources): () => PipelineSample {
  const { counters, mappings, wired } = sources;
  const { writeTap, joinTap } = wired;
  let latencyFrom = sources.latency?.count ?? 0;
  return () => {
    const [source, enriched] = mappings.map((m) => m.stats());
    const mappingDead = mappings.reduce((n, m) => n + m.stats().counters.recordsDeadLettered, 0);
    const mappingRetries = mappings.reduce((n, m) => n + m.stats().counters.retries, 0);
    sources.memory.observe();
    const latency = sources.latency?.since(latencyFrom);
    latencyFrom = sources.latency?.count ?? 0;
    const faults = sources.faultsInjected?.();
    return {
      t: sources.now() - sources.startedAt,
      counts: {
        generated: counters.generated,
        replayed: counters.replayed,
        joined: sources.topology === 'seed' ? joinTap.accepted : writeTap.written,
        written: writeTap.landed,
        deadLettered:
          counters.earlierDeadLettered +
          counters.replayDeadLettered +
          mappingDead +
          wired.handlers.deadLettered(),
      },
      iteratorAgeMs: {
        source: maxIteratorAge(source, counters.replayed),
        enriched: maxIteratorAge(enriched, joinTap.accepted),
      },
      retries: counters.replayRetries + mappingRetries + joinTap.failed + writeTap.unprocessed,
      retriesByKind: {
        ...sources.retries?.byKind,
        ...(mappingRetries > 0 ? { 'mapping.batch': mappingRetries } : {}),
      },
      ...(faults === undefined ? {} : { faultsInjected: faults }),
      iteratorAgeByShardMs: {
        source: shardIteratorAges(source, counters.replayed),
        enriched: shardIteratorAges(enriched, joinTap.accepted),
      },
      ...(latency === undefined ? {} : { latencyMs: latency }),
    };
  };
}

/**
 * The iterator age of each shard of a mapping, by shard id, as {@link maxIteratorAge}
 * reads them: 0 for every shard once the mapping has read all `put` and holds none in
 * flight; `null` for a shard not invoked yet.
 */
export function shardIteratorAges(
  stats: ReturnType<EventSourceMapping['stats']> | undefined,
  put: number,
): Record<string, number | null> {
  if (stats === undefined) return {};
  const shards = Object.values(stats.shards);
  const pending = shards.reduce((n, s) => n + s.inFlight, 0);
  const caughtUp = stats.counters.recordsRead >= put && pending === 0;
  return Object.fromEntries(
    shards.map((s) => [s.shardId, caughtUp ? 0 : (s.iteratorAgeMs ?? null)]),
  );
}

/**
 * The largest iterator age over a mapping's shards, from its last invocation per shard;
 * `null` before it has any. A mapping that has read every record put into its stream
 * (`put`) and holds none in flight is caught up: age 0. (MillisBehindLatest cannot tell:
 * the emulator reports 0 while records wait.)
 */
export function maxIteratorAge(
  stats: ReturnType<EventSourceMapping['stats']> | undefined,
  put: number,
): number | null {
  if (stats === undefined) return null;
  const shards = Object.values(stats.shards);
  const pending = shards.reduce((n, s) => n + s.inFlight, 0);
  if (stats.counters.recordsRead >= put && pending === 0) return 0;
  const ages = shards.map((s) => s.iteratorAgeMs).filter((a): a is number => a !== undefined);
  return ages.length === 0 ? null : Math.max(...ages);
}

/** The totals the progress display counts towards: every generated line, every expected row. */
export function stageTotals(counters: RunCounters, input: RunInput): StageTotals {
  return {
    generated: counters.generated,
    replayed: counters.generated,
    joined: input.expectedRows,
    written: input.expectedRows,
  };
}

/** Samples taken periodically into a list and shown on the progress display. */
export interface Ticker {
  /** Takes a sample now, keeps it and shows it; returns it. */
  tick(): PipelineSample;
  /** Stops the periodic samples (a last {@link Ticker.tick} may follow). */
  stop(): void;
}

/** Takes a sample now and then every `everyMs`, into `samples`, shown on `progress`. */
export function startTicker(
  sample: () => PipelineSample,
  samples: PipelineSample[],
  progress: ProgressWriter,
  totals: StageTotals,
  everyMs: number,
): Ticker {
  let previous: PipelineSample | undefined;
  const tick = (): PipelineSample => {
    const current = sample();
    samples.push(current);
    progress.update(current, previous, totals);
    previous = current;
    return current;
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return { tick, stop: () => clearInterval(timer) };
}
