import type { LatencySummary } from './latency.js';
import { STAGES, type PipelineSample, type Stage } from './sample.js';

/** Throughput of one stage over the time it was active. */
export interface StageThroughput {
  count: number;
  /** From the sample before the first count to the sample with the final count. */
  activeMs: number;
  perSecond: number;
}

/** Everything `report.json` holds. */
export interface RunReport {
  kind: 'kse-run-report';
  version: 1;
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
  /** Time series for the charts; `t` in ms since the start, rates in records/s. */
  series: {
    t: number[];
    rate: Record<Stage, number[]>;
    iteratorAgeMs: { source: (number | null)[]; enriched: (number | null)[] };
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
    STAGES.map((stage) => [
      stage,
      samples.map((sample, i) => {
        const previous = samples[i - 1];
        if (previous === undefined) return 0;
        const dt = (sample.t - previous.t) / 1000;
        return dt <= 0 ? 0 : Math.round((sample.counts[stage] - previous.counts[stage]) / dt);
      }),
    ]),
  ) as Record<Stage, number[]>;
  return {
    kind: 'kse-run-report',
    version: 1,
    startedAt: new Date(input.startedAt).toISOString(),
    finishedAt: new Date(input.finishedAt).toISOString(),
    options: input.options,
    verdict: input.verdict,
    counts,
    deadLettersByCode: { ...input.deadLettersByCode },
    durationsMs: { ...input.durationsMs, total: input.finishedAt - input.startedAt },
    throughput,
    latencyMs: input.latency,
    series: {
      t: samples.map((s) => s.t),
      rate,
      iteratorAgeMs: {
        source: samples.map((s) => s.iteratorAgeMs.source),
        enriched: samples.map((s) => s.iteratorAgeMs.enriched),
      },
    },
    peakRssBytes: input.peakRssBytes,
    ...(input.faults === undefined ? {} : { faults: input.faults }),
  };
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
