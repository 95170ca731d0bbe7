import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCharts, reportCharts, shortShardId } from '../../src/report/chartSpecs.js';
import { renderCompareHtml } from '../../src/report/compareHtml.js';
import { figureDeltas, reportHeadline } from '../../src/report/headline.js';
import { compareOptionRows, optionRows } from '../../src/report/optionRows.js';
import { parseReport, readReport } from '../../src/report/readReport.js';
import { renderReportHtml } from '../../src/report/reportHtml.js';
import { faultyReport, sampleReport } from './reportFixtures.js';

describe('buildReport, version 2 series', () => {
  it('keeps retries by kind in total and per second, kinds that never moved left out', () => {
    const report = sampleReport();
    expect(report.version).toBe(2);
    expect(report.retriesByKind).toEqual({
      'sdk.ProvisionedThroughputExceededException': 12,
      'dynamodb.UnprocessedItems': 15,
    });
    expect(report.series.retries['sdk.ProvisionedThroughputExceededException']).toEqual([
      0, 3, 3, 3, 3,
    ]);
    expect(report.series.retries['dynamodb.UnprocessedItems']).toEqual([0, 0, 5, 5, 5]);
    // faultyReport samples every 1.5 s: 7 throttles per interval are 4.7/s; 5xx never moved.
    expect(faultyReport().series.faults).toEqual({
      throttle: [0, 4.7, 4.7, 4.7],
      unprocessed: [0, 2, 2, 2],
    });
  });

  it('keeps the iterator age of each shard and the latency of each interval', () => {
    const { series } = sampleReport();
    expect(Object.keys(series.iteratorAgeByShardMs.source)).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
    ]);
    expect(series.iteratorAgeByShardMs.source['shardId-000000000001']).toEqual([
      null,
      80,
      160,
      240,
      320,
    ]);
    expect(series.latencyMs).toEqual({
      p50: [null, null, 170, 180, 190],
      p99: [null, null, 390, 390, 390],
    });
  });
});

describe('reading a report', () => {
  it('reads a version 1 report, the series it lacked empty', () => {
    const v2 = sampleReport();
    const { retriesByKind: _r, ...rest } = v2;
    const {
      retries: _s,
      faults: _f,
      latencyMs: _l,
      iteratorAgeByShardMs: _i,
      ...series
    } = v2.series;
    const report = parseReport({ ...rest, version: 1, series });
    expect(report.version).toBe(2);
    expect(report.retriesByKind).toEqual({});
    expect(report.series.retries).toEqual({});
    expect(report.series.latencyMs.p99).toEqual([null, null, null, null, null]);
    // Its iterator age chart falls back to the largest age over each stream's shards.
    const ages = reportCharts(report).find((c) => c.id === 'iterator-age')!;
    expect(ages.series.map((s) => s.label)).toEqual([
      'OrdersStream (max)',
      'OrdersEnrichedStream (max)',
    ]);
  });

  it.each([
    ['not an object', [1, 2], /is not a kse run report/],
    ['another kind', { kind: 'x' }, /is not a kse run report/],
    [
      'a newer version',
      { kind: 'kse-run-report', version: 9 },
      /has version 9; this kse reads versions 1 to 2/,
    ],
    ['a field missing', { ...sampleReport(), throughput: undefined }, /lacks "throughput"/],
  ])('refuses %s with KSE_REPORT_INVALID', (_what, value, message) => {
    expect(() => parseReport(value, 'x/report.json')).toThrow(message);
    expect(() => parseReport(value)).toThrow(
      expect.objectContaining({ code: 'KSE_REPORT_INVALID' }),
    );
  });

  it('reads a directory or its report.json; a missing one or bad JSON is a typed error naming the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kse-read-report-'));
    await writeFile(join(dir, 'report.json'), JSON.stringify(sampleReport()));
    expect((await readReport(dir)).counts.written).toBe(2000);
    expect((await readReport(join(dir, 'report.json'))).counts.written).toBe(2000);
    await mkdir(join(dir, 'empty'));
    await expect(readReport(join(dir, 'empty'))).rejects.toMatchObject({
      code: 'KSE_REPORT_NOT_FOUND',
      message: expect.stringMatching(/empty: holds no report\.json/),
    });
    await expect(readReport(join(dir, 'nope'))).rejects.toMatchObject({
      code: 'KSE_REPORT_NOT_FOUND',
    });
    await writeFile(join(dir, 'bad.json'), '{"kind": ');
    await expect(readReport(join(dir, 'bad.json'))).rejects.toMatchObject({
      code: 'KSE_REPORT_INVALID',
      message: expect.stringMatching(/bad\.json: is not JSON/),
    });
  });
});

describe('the headline', () => {
  it('gives the verdict, rows, wall time, rows/s and p99 latency', () => {
    const headline = reportHeadline(sampleReport());
    expect(headline.verdict).toBe('exact');
    expect(headline.verdictText).toBe('EXACT: 2,000 of 2,000 rows, 0 dead-lettered');
    expect(headline.figures.map((f) => [f.key, f.text])).toEqual([
      ['rows', '2,000 of 2,000'],
      ['wall', '5.0 s'],
      ['rowsPerSecond', '667 rows/s'],
      ['p99', '395 ms'],
    ]);
  });

  it('counts what is wrong when the verdict is not exact', () => {
    expect(reportHeadline(faultyReport()).verdictText).toBe(
      'NOT EXACT: 3 missing, 0 unexpected, 0 mismatched of 2,000 expected, 7 dead-lettered',
    );
  });

  it('judges each change from A to B by which way is better', () => {
    const deltas = figureDeltas(reportHeadline(sampleReport()), reportHeadline(faultyReport()));
    expect(deltas.map((d) => [d.key, d.text, d.judgement])).toEqual([
      ['rows', '−3 (−0.1 %)', 'worse'],
      ['wall', '+1.0 s (+20.0 %)', 'worse'],
      ['rowsPerSecond', '−223 rows/s (−33.4 %)', 'worse'],
      ['p99', '+1,085 ms (+274.7 %)', 'worse'],
    ]);
  });
});

describe('the options table', () => {
  it('flattens nested options to dotted names, strings as they are', () => {
    expect(optionRows({ orders: 10, topology: 'seed', faults: { seed: 7 }, keep: false })).toEqual([
      { name: 'orders', value: '10' },
      { name: 'topology', value: 'seed' },
      { name: 'faults.seed', value: '7' },
      { name: 'keep', value: 'false' },
    ]);
  });

  it('marks the options that differ, and those only one run has', () => {
    const rows = compareOptionRows(sampleReport().options, faultyReport().options);
    expect(rows.filter((r) => r.differs).map((r) => [r.name, r.a, r.b])).toEqual([
      ['topology', 'seed', 'fused'],
      ['shards', null, '4'],
      ['faults.throttle', null, '0.05'],
      ['faults.seed', null, '7'],
    ]);
    expect(rows.find((r) => r.name === 'orders')).toMatchObject({ differs: false });
  });
});

describe('the charts', () => {
  it('are throughput, latency, latency histogram, retries and faults, dead letters, iterator age', () => {
    const charts = reportCharts(faultyReport());
    expect(charts.map((c) => c.id)).toEqual([
      'throughput',
      'latency',
      'latency-histogram',
      'retries',
      'dead-letters',
      'iterator-age',
    ]);
    expect(charts.every((c) => c.empty === undefined)).toBe(true);
    const retries = charts.find((c) => c.id === 'retries')!;
    expect(retries.series.map((s) => s.label)).toEqual([
      'retry sdk.ThrottlingException',
      'retry kinesis.ProvisionedThroughputExceededException',
      'fault throttle',
      'fault unprocessed',
    ]);
    expect(retries.x).toEqual([0, 1.5, 3, 4.5]);
    const ages = charts.find((c) => c.id === 'iterator-age')!;
    expect(ages.series.map((s) => s.label)).toEqual([
      'OrdersStream 0',
      'OrdersStream 1',
      'OrdersStream 2',
      'OrdersStream 3',
    ]);
  });

  it('draw dead letters by code, the replay and mappings taking the rest of the count', () => {
    const dead = reportCharts(faultyReport()).find((c) => c.id === 'dead-letters')!;
    expect(dead.categories).toEqual([
      'KSE_JOIN_UNMATCHED',
      'KSE_SCHEMA_INVALID',
      'replay and mappings',
    ]);
    expect(dead.series[0]!.values).toEqual([4, 2, 1]);
  });

  it('say why a chart has nothing to draw', () => {
    const charts = reportCharts(sampleReport());
    expect(charts.find((c) => c.id === 'dead-letters')!.empty).toBe('no dead letters');
    expect(charts.find((c) => c.id === 'retries')!.empty).toBeUndefined();
    const histogram = charts.find((c) => c.id === 'latency-histogram')!;
    // Buckets up to the last one that holds rows (all latencies are below 400 ms).
    expect(histogram.categories!.at(-1)).toBe('≤ 400 ms');
  });

  it('overlay two runs on the union of their seconds, and pair their bars', () => {
    const charts = compareCharts(sampleReport(), faultyReport());
    const throughput = charts.find((c) => c.id === 'throughput')!;
    expect(throughput.x).toEqual([0, 1, 1.5, 2, 3, 4, 4.5]);
    const written = (run: 'A' | 'B') =>
      throughput.series.find((s) => s.label === `${run} · written`)!.values;
    expect(written('A')).toEqual([0, 0, null, 700, 700, 600, null]);
    expect(written('B')).toEqual([0, null, 467, null, 467, null, 398]);
    const dead = charts.find((c) => c.id === 'dead-letters')!;
    expect(dead.empty).toBeUndefined();
    expect(dead.series.map((s) => [s.label, s.values])).toEqual([['B · dead letters', [4, 2, 1]]]);
    expect(shortShardId('shardId-000000000012')).toBe('12');
  });
});

describe('the pages', () => {
  it('put the headline first, then the options as a table, not as JSON', () => {
    const html = renderReportHtml(faultyReport());
    const body = html.slice(html.indexOf('<body>'));
    expect(body.indexOf('id="headline"')).toBeLessThan(body.indexOf('<table'));
    expect(body).toContain('<tr><td>faults.throttle</td><td>0.05</td></tr>');
    expect(body).not.toContain('{&quot;orders&quot;');
  });

  it('compare two runs: both headlines, B with its deltas, differing options highlighted', () => {
    const html = renderCompareHtml({
      a: { report: sampleReport(), name: 'before/' },
      b: { report: faultyReport(), name: 'after/' },
    });
    expect(html).toMatch(/data-run="A"[\s\S]*EXACT: 2,000 of 2,000 rows/);
    expect(html).toMatch(/data-run="B"[\s\S]*NOT EXACT: 3 missing/);
    expect(html).toContain('<span class="delta worse">+1.0 s (+20.0 %)</span>');
    expect(html.match(/<tr class="differs">/g)).toHaveLength(4);
    expect(html).toContain('Options (4 differ)');
  });
});
