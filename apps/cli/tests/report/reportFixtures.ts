import { LatencyRecorder } from '../../src/report/latency.js';
import { buildReport, type RunReport } from '../../src/report/buildReport.js';
import { STAGES, type PipelineSample, type Stage } from '../../src/report/sample.js';

/** Cumulative counts with every stage present. */
export const counts = (n: Partial<Record<Stage, number>>): Record<Stage, number> =>
  Object.fromEntries(STAGES.map((s) => [s, n[s] ?? 0])) as Record<Stage, number>;

const SHARD = (n: number): string => `shardId-${String(n).padStart(12, '0')}`;

/**
 * Five samples, one a second, of a small run that lands 2,000 rows: SDK throttles and
 * unprocessed items retried, two source shards and one enriched shard, latency per interval.
 */
export function sampleRun(): PipelineSample[] {
  return [0, 1000, 2000, 3000, 4000].map((t, i) => ({
    t,
    counts: counts({
      generated: Math.min(3000, i * 3000),
      replayed: Math.min(3000, i * 1500),
      joined: Math.min(2000, i * 700),
      written: Math.min(2000, Math.max(0, (i - 1) * 700)),
    }),
    iteratorAgeMs: { source: i === 0 ? null : 100 * i, enriched: i === 0 ? null : 50 * i },
    retries: 0,
    retriesByKind: {
      'sdk.ProvisionedThroughputExceededException': 3 * i,
      'dynamodb.UnprocessedItems': i < 2 ? 0 : 5 * (i - 1),
    },
    iteratorAgeByShardMs: {
      source: {
        [SHARD(0)]: i === 0 ? null : 100 * i,
        [SHARD(1)]: i === 0 ? null : 80 * i,
      },
      enriched: { [SHARD(0)]: i === 0 ? null : 50 * i },
    },
    latencyMs:
      i < 2 ? { count: 0, p50: null, p99: null } : { count: 700, p50: 150 + 10 * i, p99: 390 },
  }));
}

const START = Date.UTC(2026, 0, 1);

/** The report of {@link sampleRun}: exact, seed topology. */
export function sampleReport(): RunReport {
  const latency = new LatencyRecorder();
  for (let i = 1; i <= 2000; i += 1) latency.add(i % 400);
  return buildReport({
    startedAt: START,
    finishedAt: START + 5000,
    options: { orders: 1000, topology: 'seed' },
    verdict: {
      exact: true,
      expected: 2000,
      landed: 2000,
      missing: 0,
      unexpected: 0,
      mismatched: 0,
      deadLettered: 0,
    },
    samples: sampleRun(),
    durationsMs: { pipeline: 4000 },
    latency: latency.summary(),
    peakRssBytes: 123,
  });
}

/**
 * A second run, to compare with {@link sampleReport} and to draw every chart: fused
 * topology, 4 shards, faults injected (throttles, unprocessed items), samples every 1.5 s,
 * dead letters of two codes, and a verdict that is not exact (3 rows missing).
 */
export function faultyReport(): RunReport {
  const samples: PipelineSample[] = [0, 1500, 3000, 4500].map((t, i) => ({
    t,
    counts: counts({
      generated: Math.min(3000, i * 3000),
      replayed: Math.min(3000, i * 1200),
      joined: Math.min(1997, i * 700),
      written: Math.min(1997, i * 700),
      deadLettered: Math.min(7, i * 3),
    }),
    iteratorAgeMs: { source: i === 0 ? null : 300 * i, enriched: null },
    retries: 0,
    retriesByKind: {
      'sdk.ThrottlingException': 6 * i,
      'kinesis.ProvisionedThroughputExceededException': 4 * i,
    },
    faultsInjected: { throttle: 7 * i, unprocessed: 3 * i, '5xx': 0 },
    iteratorAgeByShardMs: {
      source: Object.fromEntries(
        [0, 1, 2, 3].map((s) => [SHARD(s), i === 0 ? null : 300 * i - 40 * s]),
      ),
      enriched: {},
    },
    latencyMs:
      i === 0 ? { count: 0, p50: null, p99: null } : { count: 600, p50: 400 + 50 * i, p99: 1200 },
  }));
  const latency = new LatencyRecorder();
  for (let i = 1; i <= 1997; i += 1) latency.add(100 + (i % 1400));
  return buildReport({
    startedAt: START + 3_600_000,
    finishedAt: START + 3_600_000 + 6000,
    options: { orders: 1000, topology: 'fused', shards: 4, faults: { throttle: 0.05, seed: 7 } },
    verdict: {
      exact: false,
      expected: 2000,
      landed: 1997,
      missing: 3,
      unexpected: 0,
      mismatched: 0,
      deadLettered: 7,
    },
    samples,
    durationsMs: { pipeline: 4500 },
    latency: latency.summary(),
    peakRssBytes: 456 * 1024 * 1024,
    deadLettersByCode: { KSE_JOIN_UNMATCHED: 4, KSE_SCHEMA_INVALID: 2 },
    faults: {
      spec: 'throttle=0.05,seed=7',
      injected: { throttle: 21, unprocessed: 9 },
      retried: { throttle: 20, unprocessed: 9 },
    },
  });
}
