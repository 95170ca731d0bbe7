import type { RunReport } from './buildReport.js';
import { formatCount } from './progress.js';

/** One figure of the headline: its label, value and which way is better. */
export interface HeadlineFigure {
  key: 'rows' | 'wall' | 'rowsPerSecond' | 'p99';
  label: string;
  /** The value, `null` when unknown (no rows landed: no latency). */
  value: number | null;
  /** The value as shown (`4,000`, `12.3 s`, `1,234 rows/s`, `850 ms`). */
  text: string;
  /** Whether a larger value is better, for a comparison's colouring. */
  better: 'higher' | 'lower';
}

/** What a reader sees first: the verdict and four figures. */
export interface Headline {
  verdict: 'exact' | 'not-exact' | 'none';
  /** `EXACT`, `NOT EXACT: 3 missing, 1 unexpected, 0 mismatched`, `NO VERDICT`. */
  verdictText: string;
  figures: HeadlineFigure[];
}

/**
 * The headline of a run: the verdict (with its counts when not exact), then rows landed,
 * wall time, rows landed per second and the p99 end-to-end latency.
 *
 * @example
 * ```ts
 * reportHeadline(report).verdictText; // 'NOT EXACT: 2 missing, 0 unexpected, 1 mismatched'
 * ```
 */
export function reportHeadline(report: RunReport): Headline {
  const v = report.verdict;
  const rows = v?.landed ?? report.counts.written;
  const wall = report.durationsMs.total ?? null;
  const rate = report.throughput.written.perSecond;
  const p99 = report.latencyMs.p99;
  return {
    verdict: v === null ? 'none' : v.exact ? 'exact' : 'not-exact',
    verdictText: verdictText(report),
    figures: [
      {
        key: 'rows',
        label: 'rows landed',
        value: rows,
        text: v === null ? formatCount(rows) : `${formatCount(rows)} of ${formatCount(v.expected)}`,
        better: 'higher',
      },
      {
        key: 'wall',
        label: 'wall time',
        value: wall,
        text: wall === null ? '–' : `${(wall / 1000).toFixed(1)} s`,
        better: 'lower',
      },
      {
        key: 'rowsPerSecond',
        label: 'rows/s',
        value: rate,
        text: `${formatCount(rate)} rows/s`,
        better: 'higher',
      },
      {
        key: 'p99',
        label: 'p99 latency',
        value: p99,
        text: p99 === null ? '–' : `${formatCount(p99)} ms`,
        better: 'lower',
      },
    ],
  };
}

function verdictText(report: RunReport): string {
  const v = report.verdict;
  if (v === null) return 'NO VERDICT: the run did not reach verification';
  const dead = v.deadLettered === null ? '' : `, ${formatCount(v.deadLettered)} dead-lettered`;
  if (v.exact) return `EXACT: ${formatCount(v.landed)} of ${formatCount(v.expected)} rows${dead}`;
  return (
    `NOT EXACT: ${formatCount(v.missing)} missing, ${formatCount(v.unexpected)} unexpected, ` +
    `${formatCount(v.mismatched)} mismatched of ${formatCount(v.expected)} expected${dead}`
  );
}

/** How run B's figure compares with run A's. */
export interface FigureDelta {
  key: HeadlineFigure['key'];
  /** `+1.2 s (+10.0 %)`, `−250 rows/s (−5.1 %)`, `±0`, or `–` when either is unknown. */
  text: string;
  /** `better`, `worse` or `same`, by the figure's {@link HeadlineFigure.better}; `null` when unknown. */
  judgement: 'better' | 'worse' | 'same' | null;
}

/**
 * The change of each headline figure from run A to run B (B − A, and relative to A).
 *
 * @example
 * ```ts
 * figureDeltas(reportHeadline(a), reportHeadline(b))[1].text; // '−12.4 s (−20.1 %)'
 * ```
 */
export function figureDeltas(a: Headline, b: Headline): FigureDelta[] {
  return a.figures.map((fa) => {
    const fb = b.figures.find((f) => f.key === fa.key)!;
    if (fa.value === null || fb.value === null) return { key: fa.key, text: '–', judgement: null };
    const diff = fb.value - fa.value;
    if (diff === 0) return { key: fa.key, text: '±0', judgement: 'same' };
    const sign = diff > 0 ? '+' : '−';
    const amount =
      fa.key === 'wall'
        ? `${(Math.abs(diff) / 1000).toFixed(1)} s`
        : `${formatCount(Math.abs(diff))}${fa.key === 'p99' ? ' ms' : fa.key === 'rowsPerSecond' ? ' rows/s' : ''}`;
    const relative =
      fa.value === 0
        ? ''
        : ` (${sign}${((Math.abs(diff) / Math.abs(fa.value)) * 100).toFixed(1)} %)`;
    const improved = fa.better === 'higher' ? diff > 0 : diff < 0;
    return {
      key: fa.key,
      text: `${sign}${amount}${relative}`,
      judgement: improved ? 'better' : 'worse',
    };
  });
}
