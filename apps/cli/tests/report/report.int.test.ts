import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/report/buildReport.js';
import { reportCharts } from '../../src/report/chartSpecs.js';
import { compareOptionRows } from '../../src/report/optionRows.js';
import { readReport } from '../../src/report/readReport.js';
import { writeReport } from '../../src/report/writeReport.js';
import { kse } from '../commands/runKse.js';
import {
  ensureChromium,
  headlessChromium,
  openInChromium,
  type ChromiumPage,
} from '../setup/chromium.js';
import { faultyReport, sampleReport } from './reportFixtures.js';

/** What the page says of each chart uPlot drew. */
interface DrawnChart {
  id: string;
  /** Series drawn (x excluded). */
  series: number;
  points: number;
  /** Canvas pixels in the colour of one of its series (axes and grid are grey): the data drawn. */
  dataPixels: number;
}

// In the page: for each uPlot instance, its series and points, and how many canvas pixels
// have the exact colour of one of its series' strokes.
const DRAWN_CHARTS = `(() => Object.entries(window.kseCharts).map(([id, u]) => {
  const colours = u.series.slice(1).map((s, i) => {
    const hex = typeof s.stroke === 'function' ? s.stroke(u, i + 1) : s.stroke;
    return [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  });
  const c = u.ctx.canvas;
  const d = u.ctx.getImageData(0, 0, c.width, c.height).data;
  let dataPixels = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] === 255 && colours.some(([r, g, b]) => d[i] === r && d[i + 1] === g && d[i + 2] === b)) dataPixels++;
  }
  return { id, series: u.series.length - 1, points: u.data[0].length, dataPixels };
}))()`;

// Scrolls a chart into view and returns its plotting area, in viewport pixels.
const plotArea = (id: string): string => `(() => {
  const over = document.querySelector('[data-chart="${id}"] .u-over');
  over.scrollIntoView({ block: 'center' });
  const r = over.getBoundingClientRect();
  return { x: r.left, y: r.top, width: r.width, height: r.height };
})()`;

// The cursor's index and the legend's texts (series label → value shown) of a chart.
const legendOf = (id: string): string => `(() => {
  const u = window.kseCharts['${id}'];
  const rows = [...document.querySelectorAll('[data-chart="${id}"] .u-legend .u-series')];
  return {
    idx: u.cursor.idx,
    values: Object.fromEntries(rows.map((row) => [
      row.querySelector('.u-label').textContent,
      row.querySelector('.u-value').textContent,
    ])),
  };
})()`;

describe('report.html in headless Chromium', () => {
  let dir: string;
  let html: string;
  let report: RunReport;
  let page: ChromiumPage;

  beforeAll(async () => {
    await ensureChromium();
    dir = await mkdtemp(join(tmpdir(), 'kse-report-'));
    report = faultyReport();
    ({ html } = await writeReport(dir, report));
    page = await openInChromium(html);
  }, 600_000);

  afterAll(async () => {
    await page?.close();
  });

  it('writes report.json with the counts, latency percentiles and series', async () => {
    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(json).toMatchObject({ kind: 'kse-run-report', version: 2 });
    expect(json.counts.written).toBe(1997);
    expect(json.series.t).toHaveLength(4);
    expect(Object.keys(json.series.iteratorAgeByShardMs.source)).toHaveLength(4);
  });

  it('shows the headline at the top: verdict, rows, wall time, rows/s, p99', async () => {
    const headline = await page.evaluate<{ text: string; top: number; beforeTables: boolean }>(
      `(() => {
        const h = document.getElementById('headline');
        return {
          text: h.innerText,
          top: h.getBoundingClientRect().top + window.scrollY,
          beforeTables: !!(h.compareDocumentPosition(document.querySelector('table')) & Node.DOCUMENT_POSITION_FOLLOWING),
        };
      })()`,
    );
    expect(headline.text).toContain('NOT EXACT: 3 missing, 0 unexpected, 0 mismatched');
    expect(headline.text).toMatch(/ROWS LANDED\s+1,997 of 2,000/);
    expect(headline.text).toMatch(/WALL TIME\s+6\.0 s/);
    expect(headline.text).toMatch(/ROWS\/S\s+\d[\d,]* rows\/s/);
    expect(headline.text).toMatch(/P99 LATENCY\s+[\d,]+ ms/);
    expect(headline.top).toBeLessThan(200);
    expect(headline.beforeTables).toBe(true);
  });

  it('shows the options as a table', async () => {
    const rows = await page.evaluate<string[][]>(
      `[...document.querySelectorAll('table.options tr')].slice(1).map((tr) => [...tr.cells].map((td) => td.textContent))`,
    );
    expect(rows).toEqual([
      ['orders', '1000'],
      ['topology', 'fused'],
      ['shards', '4'],
      ['faults.throttle', '0.05'],
      ['faults.seed', '7'],
    ]);
  });

  it('draws every chart with uPlot, each with its series painted, and fetches nothing', async () => {
    const specs = reportCharts(report);
    expect(await page.evaluate('document.body.dataset.chartsRendered')).toBe(String(specs.length));
    const drawn = await page.evaluate<DrawnChart[]>(DRAWN_CHARTS);
    expect(drawn.map((c) => c.id)).toEqual(specs.map((s) => s.id));
    for (const spec of specs) {
      const chart = drawn.find((c) => c.id === spec.id)!;
      expect(chart, spec.id).toMatchObject({ series: spec.series.length, points: spec.x.length });
      expect(chart.dataPixels, `${spec.id}: pixels painted by its series`).toBeGreaterThan(100);
    }
    expect(page.requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
  });

  it('shows the values under the mouse in the legend', async () => {
    const area = await page.evaluate<{ x: number; y: number; width: number; height: number }>(
      plotArea('throughput'),
    );
    // Two thirds across the plot: t = 3 s of 0–4.5 s, the third sample.
    await page.mouseMove(area.x + area.width * (2 / 3), area.y + area.height / 2);
    const legend = await page.evaluate<{ idx: number | null; values: Record<string, string> }>(
      legendOf('throughput'),
    );
    expect(legend.idx).toBe(2);
    expect(legend.values).toMatchObject({
      time: '3 s',
      replayed: report.series.rate.replayed[2]!.toLocaleString('en-US'),
      written: report.series.rate.written[2]!.toLocaleString('en-US'),
    });
    expect(legend.values.written).toBe('467');

    const bars = await page.evaluate<{ x: number; y: number; width: number; height: number }>(
      plotArea('dead-letters'),
    );
    // The first of three categories: KSE_JOIN_UNMATCHED, 4 dead letters.
    await page.mouseMove(bars.x + bars.width / 6, bars.y + bars.height / 2);
    const dead = await page.evaluate<{ idx: number | null; values: Record<string, string> }>(
      legendOf('dead-letters'),
    );
    expect(dead).toEqual({
      idx: 0,
      values: { code: 'KSE_JOIN_UNMATCHED', 'dead letters': '4' },
    });
  });

  it('renders to a screenshot', { timeout: 90_000 }, async () => {
    const png = join(dir, 'report.png');
    await headlessChromium(html, { screenshot: png });
    expect(existsSync(png)).toBe(true);
    expect((await readFile(png)).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('kse report --compare in headless Chromium', () => {
  let page: ChromiumPage;
  const a = sampleReport();
  const b = faultyReport();

  beforeAll(async () => {
    await ensureChromium();
    const dirA = await mkdtemp(join(tmpdir(), 'kse-report-a-'));
    const dirB = await mkdtemp(join(tmpdir(), 'kse-report-b-'));
    await writeReport(dirA, a);
    await writeReport(dirB, b);
    const out = join(dirA, 'compare.html');
    const ran = await kse('report', '--compare', dirA, join(dirB, 'report.json'), '--out', out);
    expect(ran, ran.stderr).toMatchObject({ code: 0, stdout: `report: ${out}\n` });
    page = await openInChromium(out);
  }, 600_000);

  afterAll(async () => {
    await page?.close();
  });

  it('shows both runs: two headlines, B with its change from A', async () => {
    const runs = await page.evaluate<{ run: string; text: string; deltas: number }[]>(
      `[...document.querySelectorAll('.headline')].map((h) => ({ run: h.dataset.run, text: h.innerText, deltas: h.querySelectorAll('.delta').length }))`,
    );
    expect(runs.map((r) => r.run)).toEqual(['A', 'B']);
    expect(runs[0]!.text).toContain('EXACT: 2,000 of 2,000 rows');
    expect(runs[0]!.deltas).toBe(0);
    expect(runs[1]!.text).toContain('NOT EXACT: 3 missing');
    expect(runs[1]!.text).toContain('+1.0 s (+20.0 %)');
    expect(runs[1]!.deltas).toBe(4);
  });

  it('highlights the options that differ', async () => {
    const differing = await page.evaluate<string[]>(
      `[...document.querySelectorAll('table.options tr.differs td:first-child')].map((td) => td.textContent)`,
    );
    expect(differing).toEqual(
      compareOptionRows(a.options, b.options)
        .filter((r) => r.differs)
        .map((r) => r.name),
    );
  });

  it('overlays both runs on every chart, and a hover shows both values', async () => {
    const drawn = await page.evaluate<DrawnChart[]>(DRAWN_CHARTS);
    const throughput = drawn.find((c) => c.id === 'throughput')!;
    expect(throughput.series).toBe(10); // five stages, A and B
    expect(drawn.map((c) => c.id)).toEqual(reportCharts(a).map((c) => c.id));
    for (const chart of drawn) expect(chart.dataPixels, chart.id).toBeGreaterThan(100);

    const area = await page.evaluate<{ x: number; y: number; width: number; height: number }>(
      plotArea('throughput'),
    );
    // x spans 0–4.5 s over the union of both runs' samples; 3 s is in both.
    await page.mouseMove(area.x + area.width * (3 / 4.5), area.y + area.height / 2);
    const legend = await page.evaluate<{ idx: number | null; values: Record<string, string> }>(
      legendOf('throughput'),
    );
    expect(legend.values).toMatchObject({
      time: '3 s',
      'A · written': a.series.rate.written[3]!.toLocaleString('en-US'),
      'B · written': b.series.rate.written[2]!.toLocaleString('en-US'),
    });
  });
});

describe('the report of a real kse run, in headless Chromium', () => {
  let page: ChromiumPage | undefined;

  afterAll(async () => {
    await page?.close();
  });

  it('samples retries and faults by kind, each shard and each interval, and draws them', async () => {
    await ensureChromium();
    const dir = await mkdtemp(join(tmpdir(), 'kse-report-run-'));
    // Throttles and unprocessed items injected: the SDK's retries and the writer's re-sends.
    // The replay is paced so the run spans several samples (every 500 ms): each chart then
    // draws a line, not the single point of a run that ends within one sample.
    const ran = await kse(
      'run',
      '--orders',
      '300',
      '--rate',
      '250',
      '--faults',
      'throttle=0.1,unprocessed=0.1,seed=7',
      '--report',
      dir,
    );
    expect(ran.code, ran.stderr).toBe(0);
    const report = await readReport(dir);
    expect(report.version).toBe(2);
    expect(Object.keys(report.retriesByKind)).toEqual(
      expect.arrayContaining(['dynamodb.UnprocessedItems', expect.stringMatching(/^sdk\./)]),
    );
    expect(Object.keys(report.series.faults)).toEqual(
      expect.arrayContaining(['throttle', 'unprocessed']),
    );
    expect(Object.keys(report.series.iteratorAgeByShardMs.source)).toHaveLength(2);
    // A line needs two points.
    expect(report.series.latencyMs.p99.filter((v) => v !== null).length).toBeGreaterThan(1);

    page = await openInChromium(join(dir, 'report.html'));
    const specs = reportCharts(report);
    const drawn = await page.evaluate<DrawnChart[]>(DRAWN_CHARTS);
    // An exact run has no dead letters: that chart says so; every other one is drawn.
    expect(specs.filter((s) => s.empty !== undefined).map((s) => s.id)).toEqual(['dead-letters']);
    expect(drawn.map((c) => c.id)).toEqual(
      specs.filter((s) => s.empty === undefined).map((s) => s.id),
    );
    for (const chart of drawn) expect(chart.dataPixels, chart.id).toBeGreaterThan(100);
  }, 600_000);
});
