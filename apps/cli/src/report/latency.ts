import type { IntervalLatency } from './sample.js';

/** Upper bounds (ms) of the latency histogram's buckets; the last bucket is open-ended. */
export const LATENCY_BUCKETS_MS = [
  10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 1300, 2000, 5000, 10_000, 30_000, 60_000,
] as const;

/** Percentiles and histogram of a set of latencies, in ms. */
export interface LatencySummary {
  count: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  /** Count per bucket: `le` is the bucket's upper bound (`null`: above the last bound). */
  histogram: { le: number | null; count: number }[];
}

/**
 * Collects latencies (ms) in a growable typed array: 8 bytes per sample, so the million
 * rows of the sample's full run cost 8 MB, and percentiles are exact (nearest rank).
 */
export class LatencyRecorder {
  private values = new Float64Array(1024);
  private size = 0;

  /** Number of samples recorded. */
  get count(): number {
    return this.size;
  }

  /** Records one latency in ms. */
  add(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = ms;
  }

  /**
   * p50 and p99 (nearest rank) of the latencies recorded from the `from`-th on: the rows
   * of one sampling interval, when `from` is the {@link LatencyRecorder.count} read at the
   * interval's start.
   */
  since(from: number): IntervalLatency {
    const sorted = Float64Array.from(this.values.subarray(Math.max(0, from), this.size)).sort();
    const count = sorted.length;
    const rank = (p: number): number | null =>
      count === 0 ? null : sorted[Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1))]!;
    return { count, p50: rank(0.5), p99: rank(0.99) };
  }

  /** Percentiles (nearest rank), mean, extremes and histogram of what was recorded. */
  summary(): LatencySummary {
    return summarizeLatencies(this.values.subarray(0, this.size));
  }
}

/** {@link LatencySummary} of `values` (not modified). */
export function summarizeLatencies(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const count = sorted.length;
  const histogram: LatencySummary['histogram'] = [
    ...LATENCY_BUCKETS_MS.map((le) => ({ le: le as number | null, count: 0 })),
    { le: null, count: 0 },
  ];
  let total = 0;
  let bucket = 0;
  for (const value of sorted) {
    total += value;
    while (bucket < LATENCY_BUCKETS_MS.length && value > LATENCY_BUCKETS_MS[bucket]!) bucket += 1;
    histogram[bucket]!.count += 1;
  }
  const rank = (p: number): number | null =>
    count === 0 ? null : sorted[Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1))]!;
  return {
    count,
    min: count === 0 ? null : sorted[0]!,
    mean: count === 0 ? null : Math.round((total / count) * 10) / 10,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    max: count === 0 ? null : sorted[count - 1]!,
    histogram,
  };
}
