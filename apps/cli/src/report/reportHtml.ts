import type { RunReport } from './buildReport.js';

/**
 * Renders the report as one self-contained HTML page: the report's JSON inline, and an
 * inline script that draws three SVG charts (throughput per stage over time, latency
 * histogram, iterator age over time). Nothing is fetched from the network. When the
 * charts are drawn the script sets `data-charts-rendered` on `<body>` to their number.
 */
export function renderReportHtml(report: RunReport): string {
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  const v = report.verdict;
  const verdict =
    v === null
      ? '<p class="verdict none">no verdict (the run did not reach verification)</p>'
      : `<p class="verdict ${v.exact ? 'exact' : 'inexact'}">${v.exact ? 'EXACT' : 'NOT EXACT'}: ` +
        `expected ${v.expected}, landed ${v.landed}, missing ${v.missing}, unexpected ${v.unexpected}, ` +
        `mismatched ${v.mismatched}, dead-lettered ${v.deadLettered ?? 'unknown'}</p>`;
  const lat = report.latencyMs;
  const rows = Object.entries(report.throughput)
    .map(
      ([stage, t]) =>
        `<tr><td>${escapeHtml(stage)}</td><td>${t.count}</td><td>${(t.activeMs / 1000).toFixed(1)}</td><td>${t.perSecond}</td></tr>`,
    )
    .join('');
  const durations = Object.entries(report.durationsMs)
    .map(
      ([phase, ms]) => `<tr><td>${escapeHtml(phase)}</td><td>${(ms / 1000).toFixed(2)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kse run report</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1000px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.verdict { font-weight: bold; padding: 8px; border-radius: 4px; }
.exact { background: #e3f6e3; } .inexact { background: #fde2e2; } .none { background: #eee; }
code { word-break: break-all; }
svg { background: #fafafa; border: 1px solid #ddd; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
</style>
</head>
<body>
<h1>kse run report</h1>
<p>${escapeHtml(report.startedAt)} → ${escapeHtml(report.finishedAt)}; options: <code>${escapeHtml(JSON.stringify(report.options))}</code></p>
${verdict}
<h2>Durations (s)</h2>
<table><tr><th>phase</th><th>seconds</th></tr>${durations}</table>
<h2>Throughput per stage</h2>
<table><tr><th>stage</th><th>records</th><th>active s</th><th>records/s</th></tr>${rows}</table>
${faultsTable(report)}
<h2>End-to-end latency (source arrival → DynamoDB write acknowledged)</h2>
<p>rows ${lat.count}; p50 ${lat.p50 ?? '–'} ms, p95 ${lat.p95 ?? '–'} ms, p99 ${lat.p99 ?? '–'} ms, max ${lat.max ?? '–'} ms</p>
<h2>Throughput over time (records/s)</h2>
<div id="chart-throughput" class="chart"></div>
<h2>Latency histogram (rows per bucket, ms)</h2>
<div id="chart-latency" class="chart"></div>
<h2>Iterator age over time (ms, largest over shards)</h2>
<div id="chart-iterator-age" class="chart"></div>
<script type="application/json" id="kse-report-data">${data}</script>
<script>
${DRAW_SCRIPT}
</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Plain browser JavaScript: draws the charts from the inline JSON with SVG elements. */
const DRAW_SCRIPT = String.raw`
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
  var W = 900, H = 260, L = 64, R = 16, T = 12, B = 36;
  var report = JSON.parse(document.getElementById('kse-report-data').textContent);

  function el(name, attrs, parent, text) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, String(attrs[key]));
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function svgIn(id) {
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    document.getElementById(id).appendChild(svg);
    return svg;
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function axes(svg, xMax, yMax, xLabel) {
    el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#444' }, svg);
    el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#444' }, svg);
    for (var i = 0; i <= 4; i++) {
      var y = H - B - (i / 4) * (H - B - T);
      el('line', { x1: L, y1: y, x2: W - R, y2: y, stroke: '#e4e4e4' }, svg);
      el('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11 }, svg, String(Math.round((yMax * i) / 4)));
      var x = L + (i / 4) * (W - L - R);
      el('text', { x: x, y: H - B + 16, 'text-anchor': 'middle', 'font-size': 11 }, svg, (xMax * i / 4).toFixed(1));
    }
    el('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle', 'font-size': 11 }, svg, xLabel);
  }
  function legend(id, names) {
    var div = document.createElement('div');
    div.className = 'legend';
    names.forEach(function (name, i) {
      var span = document.createElement('span');
      var swatch = document.createElement('i');
      swatch.style.background = COLORS[i % COLORS.length];
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(name));
      div.appendChild(span);
    });
    document.getElementById(id).appendChild(div);
  }
  function lineChart(id, t, series) {
    var svg = svgIn(id);
    var xMax = Math.max(1, t.length ? t[t.length - 1] / 1000 : 1);
    var yMax = 0;
    series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > yMax) yMax = v; }); });
    yMax = niceMax(yMax);
    axes(svg, xMax, yMax, 'seconds since start');
    series.forEach(function (s, i) {
      var points = [];
      s.values.forEach(function (v, j) {
        if (v === null) return;
        var x = L + (t[j] / 1000 / xMax) * (W - L - R);
        var y = H - B - (v / yMax) * (H - B - T);
        points.push(x.toFixed(1) + ',' + y.toFixed(1));
      });
      el('polyline', { points: points.join(' '), fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2, 'data-series': s.name }, svg);
    });
    legend(id, series.map(function (s) { return s.name; }));
  }
  function histogram(id, buckets) {
    var svg = svgIn(id);
    var yMax = niceMax(Math.max.apply(null, buckets.map(function (b) { return b.count; }).concat([1])));
    el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#444' }, svg);
    el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#444' }, svg);
    for (var i = 0; i <= 4; i++) {
      var gy = H - B - (i / 4) * (H - B - T);
      el('text', { x: L - 6, y: gy + 4, 'text-anchor': 'end', 'font-size': 11 }, svg, String(Math.round((yMax * i) / 4)));
    }
    var slot = (W - L - R) / buckets.length;
    buckets.forEach(function (b, j) {
      var h = (b.count / yMax) * (H - B - T);
      el('rect', { x: L + j * slot + 2, y: H - B - h, width: slot - 4, height: h, fill: COLORS[0], 'data-count': b.count }, svg);
      el('text', { x: L + j * slot + slot / 2, y: H - B + 16, 'text-anchor': 'middle', 'font-size': 10 }, svg, b.le === null ? '>' : '≤' + b.le);
    });
  }

  var stages = Object.keys(report.series.rate);
  lineChart('chart-throughput', report.series.t, stages.map(function (s) { return { name: s, values: report.series.rate[s] }; }));
  histogram('chart-latency', report.latencyMs.histogram);
  lineChart('chart-iterator-age', report.series.t, [
    { name: 'OrdersStream', values: report.series.iteratorAgeMs.source },
    { name: 'OrdersEnrichedStream', values: report.series.iteratorAgeMs.enriched }
  ]);
  document.body.setAttribute('data-charts-rendered', String(document.querySelectorAll('svg').length));
})();
`;

// With --faults: faults injected and retries seen, by kind.
function faultsTable(report: RunReport): string {
  const f = report.faults;
  if (f === undefined) return '';
  const rows = Object.keys(f.injected)
    .map(
      (k) =>
        `<tr><td>${escapeHtml(k)}</td><td>${f.injected[k]}</td><td>${f.retried[k] ?? 0}</td></tr>`,
    )
    .join('');
  return `<h2>Faults (<code>${escapeHtml(f.spec)}</code>)</h2>\n<table><tr><th>kind</th><th>injected</th><th>retries seen</th></tr>${rows}</table>`;
}
