import type { LatencySummary } from './latency.js';
import { STAGES, type PipelineSample, type Stage } from './sample.js';

/** Throughput of one stage over the time it was active. */
export interface StageThroughput {
  count: number;
  /** From the sample before the first count to the sample with the final count. */
  activeMs: number;
  perSecond: number;
}

/**
 * The shape version of `report.json` this kse writes. Version 2 added `retriesByKind` and
 * the series `retries`, `faults`, `latencyMs` and `iteratorAgeByShardMs`; `readReport`
 * still reads version 1 (those fields empty).
 */
export const REPORT_VERSION = 2;

/** Everything `report.json` holds. */
export interface RunReport {
  kind: 'kse-run-report';
  version: typeof REPORT_VERSION;
  startedAt: string;
  finishedAt: string;
  options: Record<string, unknown>;
  verdict: {
    exact: boolean;
    expected: number;
    landed: number;
    missing: number;
    unexpected: number;
    mismatched: number;
    deadLettered: number | null;
  } | null;
  counts: Record<Stage, number>;
  /**
   * The handlers' dead letters by code: `KSE_JOIN_UNMATCHED` (items that met no order),
   * `KSE_JOIN_UNMATCHED_ORDER` (orders that met no item), `KSE_SCHEMA_INVALID`… Part of
   * `counts.deadLettered`, which also counts the replay's and the mappings' dead letters.
   */
  deadLettersByCode: Record<string, number>;
  /** Wall time of each phase (setup, generate, upload, pipeline, verify…) and the total. */
  durationsMs: Record<string, number>;
  throughput: Record<Stage, StageThroughput>;
  /**
   * End-to-end latency per row: from the source record's arrival in the source stream
   * (the later of the order's and the item's `*_arrival_ts`) to the acknowledgement of the
   * DynamoDB write that stored the row.
   */
  latencyMs: LatencySummary;
  /**
   * Retries by kind over the whole run (`sdk.<error>`, `kinesis.<ErrorCode>`,
   * `dynamodb.UnprocessedItems`, `mapping.batch`), as sampled up to the run's last sample.
   */
  retriesByKind: Record<string, number>;
  /** Time series for the charts; `t` in ms since the start, rates in records/s. */
  series: {
    t: number[];
    rate: Record<Stage, number[]>;
    /** Largest iterator age over the shards of each stream. */
    iteratorAgeMs: { source: (number | null)[]; enriched: (number | null)[] };
    /** Iterator age of each shard, by shard id. */
    iteratorAgeByShardMs: {
      source: Record<string, (number | null)[]>;
      enriched: Record<string, (number | null)[]>;
    };
    /** Retries per second by kind (kinds that never moved are left out). */
    retries: Record<string, number[]>;
    /** Faults injected per second by kind, with `--faults` (kinds never injected left out). */
    faults: Record<string, number[]>;
    /** p50 and p99 latency of the rows acknowledged in each interval (`null`: none). */
    latencyMs: { p50: (number | null)[]; p99: (number | null)[] };
  };
  peakRssBytes: number;
  /**
   * With `kse run --faults`: the spec, the faults the proxies injected by kind, and the
   * retries the proxies saw answer them, by kind (see {@link FaultsReport}).
   */
  faults?: FaultsReport;
}

/**
 * Faults injected and retries seen, by kind, as `@kse/local-stack`'s fault proxy counts
 * them. Retries are counted where the requests arrive, so they are the retries that
 * happened, whoever owns them: the SDK's (same `amz-sdk-invocation-id`, a later attempt
 * number) for whole-call faults and resets; kse's loops (the same entry sent again) for
 * `partial` and `unprocessed`; a fresh GetShardIterator after an `expired`.
 */
export interface FaultsReport {
  spec: string;
  injected: Record<string, number>;
  retried: Record<string, number>;
}

/** Inputs of {@link buildReport}. */
export interface BuildReportInput {
  startedAt: number;
  finishedAt: number;
  options: Record<string, unknown>;
  verdict: RunReport['verdict'];
  samples: PipelineSample[];
  durationsMs: Record<string, number>;
  latency: LatencySummary;
  peakRssBytes: number;
  /** The handlers' dead letters by code (default none). */
  deadLettersByCode?: Record<string, number>;
  faults?: FaultsReport;
  /**
   * Active time of stages that finished between two samples (e.g. `generated`, done
   * before sampling starts), measured directly; overrides the sample-based estimate.
   */
  activeMsOverride?: Partial<Record<Stage, number>>;
}

/** Builds the report from the samples a run collected (pure). */
export function buildReport(input: BuildReportInput): RunReport {
  const samples = input.samples;
  const last = samples[samples.length - 1];
  const counts = Object.fromEntries(STAGES.map((s) => [s, last?.counts[s] ?? 0])) as Record<
    Stage,
    number
  >;
  const throughput = Object.fromEntries(
    STAGES.map((stage) => {
      const measured = input.activeMsOverride?.[stage];
      const estimate = stageThroughput(samples, stage);
      if (measured === undefined || estimate.count === 0) return [stage, estimate];
      const activeMs = Math.max(1, measured);
      return [
        stage,
        {
          count: estimate.count,
          activeMs,
          perSecond: Math.round((estimate.count / activeMs) * 1000),
        },
      ];
    }),
  ) as Record<Stage, StageThroughput>;
  const rate = Object.fromEntries(
    STAGES.map((stage) => [stage, perSecond(samples, (s) => s.counts[stage], 0)]),
  ) as Record<Stage, number[]>;
  return {
    kind: 'kse-run-report',
    version: REPORT_VERSION,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    options: input.options,
    verdict: input.verdict,
    counts,
    deadLettersByCode: { ...input.deadLettersByCode },
    durationsMs: { ...input.durationsMs, total: input.finishedAt - input.startedAt },
    throughput,
    latencyMs: input.latency,
    retriesByKind: { ...last?.retriesByKind },
    series: {
      t: samples.map((s) => s.t),
      rate,
      iteratorAgeMs: {
        source: samples.map((s) => s.iteratorAgeMs.source),
        enriched: samples.map((s) => s.iteratorAgeMs.enriched),
      },
      iteratorAgeByShardMs: {
        source: byKey(samples, (s) => s.iteratorAgeByShardMs?.source),
        enriched: byKey(samples, (s) => s.iteratorAgeByShardMs?.enriched),
      },
      retries: ratesByKind(samples, (s) => s.retriesByKind),
      faults: ratesByKind(samples, (s) => s.faultsInjected),
      latencyMs: {
        p50: samples.map((s) => s.latencyMs?.p50 ?? null),
        p99: samples.map((s) => s.latencyMs?.p99 ?? null),
      },
    },
    peakRssBytes: input.peakRssBytes,
    ...(input.faults === undefined ? {} : { faults: input.faults }),
  };
}

// The per-second rate of a cumulative count between successive samples (0 at the first),
// rounded to `digits` decimals.
function perSecond(
  samples: PipelineSample[],
  value: (sample: PipelineSample) => number,
  digits: number,
): number[] {
  const scale = 10 ** digits;
  return samples.map((sample, i) => {
    const previous = samples[i - 1];
    if (previous === undefined) return 0;
    const dt = (sample.t - previous.t) / 1000;
    return dt <= 0 ? 0 : Math.round(((value(sample) - value(previous)) / dt) * scale) / scale;
  });
}

// Per-second rates of cumulative counts by kind; kinds that never moved are left out.
function ratesByKind(
  samples: PipelineSample[],
  counts: (sample: PipelineSample) => Record<string, number> | undefined,
): Record<string, number[]> {
  const kinds = new Set<string>();
  for (const sample of samples) {
    for (const [kind, n] of Object.entries(counts(sample) ?? {})) if (n > 0) kinds.add(kind);
  }
  return Object.fromEntries(
    [...kinds].map((kind) => [kind, perSecond(samples, (s) => counts(s)?.[kind] ?? 0, 1)]),
  );
}

// One series per key (a shard id) of a per-sample record; `null` where a sample lacks it.
function byKey(
  samples: PipelineSample[],
  values: (sample: PipelineSample) => Record<string, number | null> | undefined,
): Record<string, (number | null)[]> {
  const keys = new Set<string>();
  for (const sample of samples) for (const key of Object.keys(values(sample) ?? {})) keys.add(key);
  return Object.fromEntries(
    [...keys].sort().map((key) => [key, samples.map((s) => values(s)?.[key] ?? null)]),
  );
}

function stageThroughput(samples: PipelineSample[], stage: Stage): StageThroughput {
  const final = samples[samples.length - 1]?.counts[stage] ?? 0;
  if (final === 0) return { count: 0, activeMs: 0, perSecond: 0 };
  const first = samples.findIndex((s) => s.counts[stage] > 0);
  const done = samples.findIndex((s) => s.counts[stage] === final);
  const from = samples[Math.max(0, first - 1)]!.t;
  const activeMs = Math.max(1, samples[done]!.t - from);
  return { count: final, activeMs, perSecond: Math.round((final / activeMs) * 1000) };
}
