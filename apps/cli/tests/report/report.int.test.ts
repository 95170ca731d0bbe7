import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/writeReport.js';
import { sampleReport } from './reportFixtures.js';
import { ensureChromium, headlessChromium } from '../setup/chromium.js';

describe('report.html in headless Chromium', () => {
  let dir: string;
  let html: string;

  beforeAll(async () => {
    await ensureChromium();
    dir = await mkdtemp(join(tmpdir(), 'kse-report-'));
    ({ html } = await writeReport(dir, sampleReport()));
  }, 600_000);

  it('writes report.json with the counts, latency percentiles and series', async () => {
    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(json.counts.written).toBe(2000);
    expect(json.latencyMs).toMatchObject({ count: 2000, p50: 199, max: 399 });
    expect(json.series.t).toHaveLength(5);
  });

  it('draws the three charts with their data points', { timeout: 90_000 }, async () => {
    const dom = await headlessChromium(html, { dumpDom: true });
    expect(dom).toMatch(/<body[^>]*data-charts-rendered="3"/);
    expect(dom.match(/<svg/g)).toHaveLength(3);
    // throughput: one polyline per stage, five points each; iterator age: two lines.
    const polylines = [...dom.matchAll(/<polyline points="([^"]*)"[^>]*data-series="([^"]+)"/g)];
    expect(polylines.map((m) => m[2])).toEqual([
      'generated',
      'replayed',
      'joined',
      'written',
      'deadLettered',
      'OrdersStream',
      'OrdersEnrichedStream',
    ]);
    expect(polylines[0]![1]!.split(' ')).toHaveLength(5);
    expect(polylines[5]![1]!.split(' ')).toHaveLength(4);
    // latency histogram: one bar per bucket, counts adding up to the rows.
    const bars = [...dom.matchAll(/<rect [^>]*data-count="(\d+)"/g)].map((m) => Number(m[1]));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(2000);
  });

  it('renders to a screenshot', { timeout: 90_000 }, async () => {
    const png = join(dir, 'report.png');
    await headlessChromium(html, { screenshot: png });
    expect(existsSync(png)).toBe(true);
    expect((await readFile(png)).subarray(1, 4).toString()).toBe('PNG');
  });
});
