import type { RunReport } from './buildReport.js';
import { STAGES } from './sample.js';

/** One series of a chart: its label and one value per x (`null`: no value there). */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** Which run of a comparison it belongs to (drawn dashed for B). */
  run?: 'A' | 'B';
}

/**
 * What one chart of the report draws, computed here (pure, tested) and drawn in the page
 * by uPlot. `time`: x is seconds since the run started; `bars`: x is the index of a
 * category of {@link ChartSpec.categories}.
 */
export interface ChartSpec {
  id: string;
  title: string;
  /** What the y values are, with their unit (`records/s`, `ms`). */
  yLabel: string;
  kind: 'time' | 'bars';
  x: number[];
  categories?: string[];
  /** What a bar chart's categories are (`code`, `latency`), as the legend names them. */
  categoryLabel?: string;
  series: ChartSeries[];
  /** Why there is nothing to draw (no retries, no dead letters…); the chart is then left out. */
  empty?: string;
}

/** The stream names the report's iterator ages are labelled with. */
const STREAMS = { source: 'OrdersStream', enriched: 'OrdersEnrichedStream' } as const;

/**
 * The charts of one run, in the page's order: throughput per stage, latency over time,
 * latency histogram, retries and faults over time, dead letters by code, iterator age per
 * shard.
 *
 * @example
 * ```ts
 * reportCharts(report).map((c) => c.id); // ['throughput', 'latency', …]
 * ```
 */
export function reportCharts(report: RunReport): ChartSpec[] {
  const seconds = report.series.t.map((t) => t / 1000);
  const time = (
    id: string,
    title: string,
    yLabel: string,
    series: ChartSeries[],
    empty: string,
  ): ChartSpec => ({
    id,
    title,
    yLabel,
    kind: 'time',
    x: seconds,
    series,
    ...(series.length === 0 || series.every((s) => s.values.every((v) => v === null))
      ? { empty }
      : {}),
  });
  const { series } = report;
  const histogram = report.latencyMs.histogram;
  const lastBound = histogram.findLastIndex((b) => b.count > 0);
  const buckets = histogram.slice(0, Math.max(lastBound + 1, 1));
  const deadLetters = deadLetterBars(report);
  return [
    time(
      'throughput',
      'Throughput per stage',
      'records/s',
      STAGES.map((stage) => ({ label: stage, values: series.rate[stage] })),
      'no samples',
    ),
    time(
      'latency',
      'End-to-end latency of the rows landed in each interval',
      'ms',
      series.latencyMs.p50.some((v) => v !== null)
        ? [
            { label: 'p50', values: series.latencyMs.p50 },
            { label: 'p99', values: series.latencyMs.p99 },
          ]
        : [],
      'no latency per interval in this report',
    ),
    {
      id: 'latency-histogram',
      title: 'End-to-end latency histogram (source arrival → DynamoDB write acknowledged)',
      yLabel: 'rows',
      kind: 'bars',
      x: buckets.map((_, i) => i),
      categoryLabel: 'latency',
      categories: buckets.map((b, i) =>
        b.le === null ? `> ${histogram[i - 1]?.le ?? 0} ms` : `≤ ${b.le} ms`,
      ),
      series: [{ label: 'rows', values: buckets.map((b) => b.count) }],
      ...(report.latencyMs.count === 0 ? { empty: 'no latency recorded' } : {}),
    },
    time(
      'retries',
      'Retries and injected faults over time, by kind',
      'per second',
      [
        ...Object.entries(series.retries).map(([kind, values]) => ({
          label: `retry ${kind}`,
          values,
        })),
        ...Object.entries(series.faults).map(([kind, values]) => ({
          label: `fault ${kind}`,
          values,
        })),
      ],
      'no retries and no faults',
    ),
    {
      id: 'dead-letters',
      title: 'Dead letters by code',
      yLabel: 'records',
      kind: 'bars',
      x: deadLetters.map((_, i) => i),
      categoryLabel: 'code',
      categories: deadLetters.map(([code]) => code),
      series: [{ label: 'dead letters', values: deadLetters.map(([, n]) => n) }],
      ...(deadLetters.length === 0 ? { empty: 'no dead letters' } : {}),
    },
    time(
      'iterator-age',
      'Iterator age per shard',
      'ms',
      iteratorAgeSeries(report),
      'no iterator age sampled',
    ),
  ];
}

// The handlers' dead letters by code, plus those of the replay and the mappings (the rest
// of counts.deadLettered), largest first.
function deadLetterBars(report: RunReport): [string, number][] {
  const byCode = Object.entries(report.deadLettersByCode).filter(([, n]) => n > 0);
  const coded = byCode.reduce((sum, [, n]) => sum + n, 0);
  const other = report.counts.deadLettered - coded;
  if (other > 0) byCode.push(['replay and mappings', other]);
  return byCode.sort(([a, na], [b, nb]) => nb - na || a.localeCompare(b));
}

// One series per shard (`OrdersStream 0`); a report without per-shard ages (version 1)
// gets the largest age over the shards of each stream.
function iteratorAgeSeries(report: RunReport): ChartSeries[] {
  const { iteratorAgeByShardMs: byShard, iteratorAgeMs } = report.series;
  const shards = (['source', 'enriched'] as const).flatMap((stream) =>
    Object.entries(byShard[stream]).map(([shardId, values]) => ({
      label: `${STREAMS[stream]} ${shortShardId(shardId)}`,
      values,
    })),
  );
  if (shards.length > 0) return shards;
  return (['source', 'enriched'] as const)
    .map((stream) => ({ label: `${STREAMS[stream]} (max)`, values: iteratorAgeMs[stream] }))
    .filter((s) => s.values.some((v) => v !== null));
}

/** `shardId-000000000003` → `3`; other ids as they are. */
export function shortShardId(shardId: string): string {
  const match = /^shardId-0*(\d+)$/.exec(shardId);
  return match === null ? shardId : match[1]!;
}

/**
 * The charts of runs A and B overlaid, chart by chart: time charts on the union of both
 * runs' seconds (a series is `null` where its run has no sample), bar charts on the union
 * of both runs' categories, as pairs of bars. Series are labelled `A · …` and `B · …`.
 */
export function compareCharts(a: RunReport, b: RunReport): ChartSpec[] {
  const chartsB = reportCharts(b);
  return reportCharts(a).map((ca) => {
    const cb = chartsB.find((c) => c.id === ca.id)!;
    const overlaid = ca.kind === 'time' ? overlayTime(ca, cb) : overlayBars(ca, cb);
    const empty = ca.empty !== undefined && cb.empty !== undefined ? ca.empty : undefined;
    const { empty: _dropped, ...rest } = overlaid;
    return empty === undefined ? rest : { ...rest, empty };
  });
}

const tagged = (spec: ChartSpec, run: 'A' | 'B'): ChartSpec =>
  spec.empty === undefined
    ? { ...spec, series: spec.series.map((s) => ({ ...s, label: `${run} · ${s.label}`, run })) }
    : { ...spec, series: [] };

function overlayTime(ca: ChartSpec, cb: ChartSpec): ChartSpec {
  const x = [...new Set([...ca.x, ...cb.x])].sort((p, q) => p - q);
  const align = (spec: ChartSpec): ChartSeries[] => {
    const at = new Map(spec.x.map((v, i) => [v, i]));
    return spec.series.map((s) => ({
      ...s,
      values: x.map((v) => (at.has(v) ? (s.values[at.get(v)!] ?? null) : null)),
    }));
  };
  return { ...ca, x, series: [...align(tagged(ca, 'A')), ...align(tagged(cb, 'B'))] };
}

function overlayBars(ca: ChartSpec, cb: ChartSpec): ChartSpec {
  const categories = [...new Set([...(ca.categories ?? []), ...(cb.categories ?? [])])];
  const align = (spec: ChartSpec): ChartSeries[] =>
    spec.series.map((s) => ({
      ...s,
      values: categories.map((c) => {
        const i = spec.categories?.indexOf(c) ?? -1;
        return i < 0 ? 0 : (s.values[i] ?? 0);
      }),
    }));
  return {
    ...ca,
    x: categories.map((_, i) => i),
    categories,
    series: [...align(tagged(ca, 'A')), ...align(tagged(cb, 'B'))],
  };
}
