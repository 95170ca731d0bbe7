import type { RunReport } from './buildReport.js';
import { reportCharts } from './chartSpecs.js';
import { reportHeadline, type FigureDelta, type Headline } from './headline.js';
import { chartSection, escapeHtml, htmlPage } from './htmlPage.js';
import { optionRows } from './optionRows.js';
import { formatCount } from './progress.js';

/**
 * Renders a run's report as one self-contained HTML page, read top down: the headline
 * (verdict, rows, wall time, rows/s, p99 latency), the options as a table, the phases'
 * durations, throughput per stage, retries and faults by kind, then the charts (uPlot,
 * inline): throughput per stage, latency over time and its histogram, retries and faults
 * over time, dead letters by code, iterator age per shard. Nothing is fetched from the
 * network.
 */
export function renderReportHtml(report: RunReport): string {
  const body = `<h1>kse run report</h1>
<p class="when">${escapeHtml(report.startedAt)} → ${escapeHtml(report.finishedAt)}</p>
${headlineHtml(reportHeadline(report))}
<div class="tables">
<div><h2>Options</h2>
<table class="options"><tr><th>option</th><th>value</th></tr>${optionRows(report.options)
    .map((r) => `<tr><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.value)}</td></tr>`)
    .join('')}</table></div>
<div>${detailTables(report)}</div>
</div>
${reportCharts(report).map(chartSection).join('\n')}`;
  return htmlPage({
    title: `kse run report: ${reportHeadline(report).verdictText}`,
    body,
    charts: reportCharts(report),
    data: { 'kse-report-data': report },
  });
}

/** The headline block: the verdict, then each figure (with its delta, in a comparison). */
export function headlineHtml(headline: Headline, deltas?: FigureDelta[], run?: string): string {
  const figures = headline.figures
    .map((f) => {
      const d = deltas?.find((x) => x.key === f.key);
      const delta =
        d === undefined
          ? ''
          : ` <span class="delta${d.judgement === 'better' || d.judgement === 'worse' ? ` ${d.judgement}` : ''}">${escapeHtml(d.text)}</span>`;
      return `<div class="figure" data-figure="${f.key}"><dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.text)}${delta}</dd></div>`;
    })
    .join('');
  return `<header class="headline ${headline.verdict}"${run === undefined ? ' id="headline"' : ` data-run="${run}"`}>
${run === undefined ? '' : `<div class="run">run ${escapeHtml(run)}</div>`}<div class="verdict">${escapeHtml(headline.verdictText)}</div>
<dl class="figures">${figures}</dl>
</header>`;
}

// Durations of the phases, throughput per stage, peak RSS, retries and faults by kind.
function detailTables(report: RunReport): string {
  const durations = Object.entries(report.durationsMs)
    .map(
      ([phase, ms]) => `<tr><td>${escapeHtml(phase)}</td><td>${(ms / 1000).toFixed(2)}</td></tr>`,
    )
    .join('');
  const throughput = Object.entries(report.throughput)
    .map(
      ([stage, t]) =>
        `<tr><td>${escapeHtml(stage)}</td><td>${formatCount(t.count)}</td><td>${(t.activeMs / 1000).toFixed(1)}</td><td>${formatCount(t.perSecond)}</td></tr>`,
    )
    .join('');
  const lat = report.latencyMs;
  const ms = (v: number | null): string => (v === null ? '–' : formatCount(v));
  return `<h2>Durations</h2>
<table><tr><th>phase</th><th>seconds</th></tr>${durations}</table>
<h2>Throughput per stage</h2>
<table><tr><th>stage</th><th>records</th><th>active s</th><th>records/s</th></tr>${throughput}</table>
<h2>End-to-end latency</h2>
<table><tr><th>rows</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>
<tr><td>${formatCount(lat.count)}</td><td>${ms(lat.p50)}</td><td>${ms(lat.p95)}</td><td>${ms(lat.p99)}</td><td>${ms(lat.max)}</td></tr></table>
<p>peak RSS ${formatCount(report.peakRssBytes / 1024 / 1024)} MB</p>
${countsTable('Retries by kind', 'kind', 'retries', report.retriesByKind)}
${faultsTable(report)}`;
}

function countsTable(
  title: string,
  key: string,
  value: string,
  counts: Record<string, number>,
): string {
  const rows = Object.entries(counts).filter(([, n]) => n > 0);
  if (rows.length === 0) return '';
  return `<h2>${escapeHtml(title)}</h2>\n<table><tr><th>${key}</th><th>${value}</th></tr>${rows
    .map(([k, n]) => `<tr><td>${escapeHtml(k)}</td><td>${formatCount(n)}</td></tr>`)
    .join('')}</table>`;
}

// With --faults: faults injected and retries seen, by kind.
function faultsTable(report: RunReport): string {
  const f = report.faults;
  if (f === undefined) return '';
  const rows = Object.keys(f.injected)
    .map(
      (k) =>
        `<tr><td>${escapeHtml(k)}</td><td>${formatCount(f.injected[k] ?? 0)}</td><td>${formatCount(f.retried[k] ?? 0)}</td></tr>`,
    )
    .join('');
  return `<h2>Faults (<code>${escapeHtml(f.spec)}</code>)</h2>\n<table><tr><th>kind</th><th>injected</th><th>retries seen</th></tr>${rows}</table>`;
}
