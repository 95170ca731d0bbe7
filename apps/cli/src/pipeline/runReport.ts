import {
  buildReport,
  type LatencyRecorder,
  type PipelineSample,
  type FaultsReport,
  type RunReport,
} from '../report/index.js';
import type { VerifyResult } from '../verify/index.js';
import type { RunPipelineOptions } from './options.js';

/** What a run hands to {@link buildRunReport}. */
export interface RunReportInput {
  startedAt: number;
  finishedAt: number;
  options: RunPipelineOptions;
  verdict: VerifyResult | null;
  samples: PipelineSample[];
  /** Wall time of each phase, ms. */
  durations: Record<string, number>;
  latency: LatencyRecorder;
  peakRssBytes: number;
  /** The handlers' dead letters by code. */
  deadLettersByCode: Record<string, number>;
  /** What the fault proxies injected and the retries they saw (with `faults`). */
  faults?: FaultsReport | undefined;
}

/**
 * The run's report: its counts, throughput, latency and the verdict's counts. The
 * `generated` stage is done before sampling starts, so its active time is the `generate`
 * phase's, measured directly.
 */
export function buildRunReport(input: RunReportInput): RunReport {
  const { verdict, durations } = input;
  return buildReport({
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    // Where the run went, never how: a target's configuration may hold credentials.
    options: { ...input.options, target: input.options.target.kind },
    verdict:
      verdict === null
        ? null
        : {
            exact: verdict.exact,
            expected: verdict.expected,
            landed: verdict.landed,
            missing: verdict.missing,
            unexpected: verdict.unexpected,
            mismatched: verdict.mismatched,
            deadLettered: verdict.deadLettered,
          },
    samples: input.samples,
    durationsMs: durations,
    latency: input.latency.summary(),
    peakRssBytes: input.peakRssBytes,
    deadLettersByCode: input.deadLettersByCode,
    ...(input.faults === undefined ? {} : { faults: input.faults }),
    ...(durations.generate === undefined
      ? {}
      : { activeMsOverride: { generated: durations.generate } }),
  });
}
