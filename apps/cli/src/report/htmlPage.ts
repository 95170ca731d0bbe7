import type { ChartSpec } from './chartSpecs.js';
import { uplotAssets } from './uplotAssets.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** JSON for a `<script type="application/json">` element: it cannot close the element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * A chart's place in the page: its title and the element uPlot draws into, or, when the
 * chart has nothing to draw, a line saying why.
 */
export function chartSection(spec: ChartSpec): string {
  const body =
    spec.empty === undefined
      ? `<div class="plot" data-chart="${escapeHtml(spec.id)}"></div>`
      : `<p class="empty" data-chart-empty="${escapeHtml(spec.id)}">${escapeHtml(spec.empty)}</p>`;
  return `<section class="chart" id="chart-${escapeHtml(spec.id)}">\n<h2>${escapeHtml(spec.title)} <span class="unit">(${escapeHtml(spec.yLabel)})</span></h2>\n${body}\n</section>`;
}

/**
 * One self-contained page: uPlot's JavaScript and CSS inline (with its licence), the
 * charts' data inline, and the script that draws them. Nothing is fetched from the
 * network. Once drawn, `<body>` gets `data-charts-rendered` (the number of charts drawn)
 * and `window.kseCharts` holds the uPlot instances by chart id.
 */
export function htmlPage(page: {
  title: string;
  body: string;
  charts: ChartSpec[];
  /** More inline JSON elements, by id (e.g. the report itself). */
  data?: Record<string, unknown>;
}): string {
  const uplot = uplotAssets();
  const data = Object.entries(page.data ?? {})
    .map(
      ([id, value]) => `<script type="application/json" id="${id}">${inlineJson(value)}</script>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
/* uPlot ${uplot.version}: ${uplot.licenseName} (its licence is in the script below) */
${uplot.css}
</style>
<style>
${PAGE_CSS}
</style>
</head>
<body>
${page.body}
<script type="application/json" id="kse-charts">${inlineJson(page.charts)}</script>
${data}
<script>
${uplot.js}
</script>
<script>
${DRAW_SCRIPT}
</script>
</body>
</html>
`;
}

const PAGE_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; padding: 0 16px; color: #222; max-width: 1100px; }
h1 { font-size: 20px; margin-bottom: 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.when { color: #666; margin-top: 0; }
.headline { border-radius: 6px; padding: 12px 16px; margin: 16px 0; border: 1px solid #ccc; }
.headline.exact { background: #e6f6e6; border-color: #9c9; } .headline.not-exact { background: #fde6e6; border-color: #d99; }
.headline.none { background: #eee; }
.verdict { font-size: 18px; font-weight: 700; }
.figures { display: flex; flex-wrap: wrap; gap: 10px 36px; margin: 10px 0 0; }
.figure dt { color: #555; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.figure dd { margin: 0; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.delta { font-size: 13px; font-weight: 500; } .delta.better { color: #1a7f1a; } .delta.worse { color: #b00; }
.runs { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.runs .headline { margin: 8px 0; }
table { border-collapse: collapse; margin: 4px 0; } td, th { padding: 3px 12px; border-bottom: 1px solid #ddd; text-align: right; font-variant-numeric: tabular-nums; }
td:first-child, th:first-child { text-align: left; } th { background: #f4f4f4; }
table.options td { text-align: left; font-family: ui-monospace, monospace; font-size: 13px; }
tr.differs td { background: #fff3c4; font-weight: 600; }
.tables { display: flex; flex-wrap: wrap; gap: 8px 40px; align-items: flex-start; }
.chart h2 .unit { font-weight: 400; color: #666; }
.plot { min-height: 300px; }
.empty { color: #666; font-style: italic; }
code { word-break: break-all; }
`;

/**
 * Plain browser JavaScript: draws each chart of the inline `kse-charts` JSON with uPlot —
 * axes with uPlot's own tick spacing, values with thousands separators, a live legend
 * that shows the values under the cursor. In a comparison run B's series are dashed, and
 * a series of B has the colour of A's series of the same name.
 */
const DRAW_SCRIPT = String.raw`
(function () {
  'use strict';
  var COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#393b79', '#bcbd22', '#17becf'];
  var specs = JSON.parse(document.getElementById('kse-charts').textContent);
  var COUNT_INCRS = [];
  for (var p = 1; p <= 1e9; p *= 10) COUNT_INCRS.push(p, 2 * p, 5 * p);
  var charts = {};
  function fmt(v) {
    if (v === null || v === undefined) return '–';
    return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) < 10 && !Number.isInteger(v) ? 2 : 1 });
  }
  function baseLabel(s) { return s.run ? s.label.slice(4) : s.label; }
  specs.forEach(function (spec) {
    var el = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!el || spec.empty) return;
    var bars = spec.kind === 'bars';
    var names = [];
    spec.series.forEach(function (s) { if (names.indexOf(baseLabel(s)) < 0) names.push(baseLabel(s)); });
    var runs = spec.series.some(function (s) { return s.run === 'B'; }) ? 2 : 1;
    var xAxis = bars
      ? { splits: function () { return spec.x; }, values: function (u, splits) { return splits.map(function (i) { return spec.categories[i] === undefined ? '' : spec.categories[i]; }); }, grid: { show: false } }
      : { label: 'seconds since the run started', space: 70, values: function (u, splits) { return splits.map(function (v) { return fmt(v) + ' s'; }); } };
    // Counts (bars) tick at whole numbers only.
    var yAxis = { label: spec.yLabel, size: 76, values: function (u, splits) { return splits.map(fmt); } };
    if (bars) yAxis.incrs = COUNT_INCRS;
    var series = [{
      label: bars ? spec.categoryLabel || 'category' : 'time',
      value: function (u, v) { return v === null || v === undefined ? '–' : bars ? spec.categories[v] : fmt(v) + ' s'; }
    }];
    spec.series.forEach(function (s) {
      var color = COLORS[names.indexOf(baseLabel(s)) % COLORS.length];
      var o = { label: s.label, stroke: color, width: 2, spanGaps: true, value: function (u, v) { return fmt(v); } };
      if (s.run === 'B') o.dash = [6, 4];
      if (bars) {
        o.fill = color + (s.run === 'B' ? '66' : 'aa');
        o.points = { show: false };
        o.paths = uPlot.paths.bars({ size: [0.7 / runs, 90], align: runs === 1 ? 0 : s.run === 'A' ? -1 : 1 });
      }
      series.push(o);
    });
    var opts = {
      width: Math.max(480, el.clientWidth || 1000),
      height: 300,
      scales: {
        x: bars ? { time: false, range: [-0.5, spec.x.length - 0.5] } : { time: false },
        y: { range: function (u, min, max) { var hi = max === null || !(max > 0) ? 1 : max * 1.08; return [min === null ? 0 : Math.min(0, min), hi]; } }
      },
      axes: [xAxis, yAxis],
      series: series,
      legend: { live: true },
      cursor: { drag: { x: !bars, y: false } }
    };
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    charts[spec.id] = new uPlot(opts, data, el);
    el.setAttribute('data-series', String(spec.series.length));
  });
  window.kseCharts = charts;
  document.body.setAttribute('data-charts-rendered', String(Object.keys(charts).length));
})();
`;
