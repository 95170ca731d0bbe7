import type { RunReport } from './buildReport.js';
import { compareCharts } from './chartSpecs.js';
import { figureDeltas, reportHeadline } from './headline.js';
import { chartSection, escapeHtml, htmlPage } from './htmlPage.js';
import { compareOptionRows } from './optionRows.js';
import { headlineHtml } from './reportHtml.js';

/** Two runs to compare, with what to call each (their paths, say). */
export interface ComparedRuns {
  a: { report: RunReport; name: string };
  b: { report: RunReport; name: string };
}

/**
 * Renders runs A and B side by side in one self-contained page: each run's headline, B's
 * with its change from A (green when better, red when worse); both runs' options in one
 * table, the rows that differ highlighted; then each chart with both runs overlaid (B
 * dashed; bars in pairs).
 *
 * @example
 * ```ts
 * await writeFile('compare.html', renderCompareHtml({ a: { report: a, name: 'before' }, b: { report: b, name: 'after' } }));
 * ```
 */
export function renderCompareHtml(runs: ComparedRuns): string {
  const { a, b } = runs;
  const ha = reportHeadline(a.report);
  const hb = reportHeadline(b.report);
  const options = compareOptionRows(a.report.options, b.report.options);
  const cell = (v: string | null): string => (v === null ? '<em>—</em>' : escapeHtml(v));
  const differing = options.filter((r) => r.differs).length;
  const charts = compareCharts(a.report, b.report);
  const body = `<h1>kse run reports compared</h1>
<div class="runs">
<div><p class="when">A: <code>${escapeHtml(a.name)}</code><br>${escapeHtml(a.report.startedAt)}</p>
${headlineHtml(ha, undefined, 'A')}</div>
<div><p class="when">B: <code>${escapeHtml(b.name)}</code><br>${escapeHtml(b.report.startedAt)}</p>
${headlineHtml(hb, figureDeltas(ha, hb), 'B')}</div>
</div>
<h2>Options (${differing === 0 ? 'the same' : `${differing} differ`})</h2>
<table class="options"><tr><th>option</th><th>A</th><th>B</th></tr>${options
    .map(
      (r) =>
        `<tr${r.differs ? ' class="differs"' : ''}><td>${escapeHtml(r.name)}</td><td>${cell(r.a)}</td><td>${cell(r.b)}</td></tr>`,
    )
    .join('')}</table>
${charts.map(chartSection).join('\n')}`;
  return htmlPage({ title: `kse run reports compared: ${a.name} vs ${b.name}`, body, charts });
}
