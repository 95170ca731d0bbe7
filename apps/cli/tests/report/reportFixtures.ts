import { LatencyRecorder } from '../../src/report/latency.js';
import { buildReport, type RunReport } from '../../src/report/buildReport.js';
import { STAGES, type PipelineSample, type Stage } from '../../src/report/sample.js';

/** Cumulative counts with every stage present. */
export const counts = (n: Partial<Record<Stage, number>>): Record<Stage, number> =>
  Object.fromEntries(STAGES.map((s) => [s, n[s] ?? 0])) as Record<Stage, number>;

/** Five samples, one a second, of a small run that lands 2,000 rows. */
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
  }));
}

/** The report of {@link sampleRun}. */
export function sampleReport(): RunReport {
  const latency = new LatencyRecorder();
  for (let i = 1; i <= 2000; i += 1) latency.add(i % 400);
  return buildReport({
    startedAt: Date.UTC(2026, 0, 1),
    finishedAt: Date.UTC(2026, 0, 1) + 5000,
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
