import { describe, expect, it } from 'vitest';
import { LatencyRecorder, summarizeLatencies } from '../../src/report/latency.js';
import { renderReportHtml } from '../../src/report/reportHtml.js';
import { buildReport } from '../../src/report/buildReport.js';
import { uplotAssets } from '../../src/report/uplotAssets.js';
import { counts, sampleReport, sampleRun } from './reportFixtures.js';

describe('summarizeLatencies', () => {
  it('gives nearest-rank percentiles and the max', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatencies(values)).toMatchObject({
      count: 100,
      min: 1,
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100,
      mean: 50.5,
    });
  });

  it('puts each value in the first bucket whose bound is not below it', () => {
    const { histogram } = summarizeLatencies([10, 11, 500, 501, 100_000]);
    const count = (le: number | null) => histogram.find((b) => b.le === le)!.count;
    expect([count(10), count(25), count(500), count(750), count(null)]).toEqual([1, 1, 1, 1, 1]);
    expect(histogram.reduce((n, b) => n + b.count, 0)).toBe(5);
  });

  it('reports nulls when nothing was recorded', () => {
    expect(new LatencyRecorder().summary()).toMatchObject({ count: 0, p50: null, max: null });
  });
});

describe('buildReport', () => {
  it('takes the final counts and computes each stage throughput over its active time', () => {
    const report = sampleReport();
    expect(report.counts).toEqual(
      counts({ generated: 3000, replayed: 3000, joined: 2000, written: 2000 }),
    );
    // replayed: first non-zero at t=1000, final at t=2000 → active from t=0 to t=2000.
    expect(report.throughput.replayed).toEqual({ count: 3000, activeMs: 2000, perSecond: 1500 });
    expect(report.throughput.deadLettered).toEqual({ count: 0, activeMs: 0, perSecond: 0 });
    expect(report.durationsMs).toEqual({ pipeline: 4000, total: 5000 });
  });

  it('derives a rate series per stage from successive samples', () => {
    const report = sampleReport();
    expect(report.series.t).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(report.series.rate.joined).toEqual([0, 700, 700, 600, 0]);
    expect(report.series.iteratorAgeMs.source).toEqual([null, 100, 200, 300, 400]);
  });
});

describe('renderReportHtml', () => {
  it('is self-contained: no external script, stylesheet, image, import or font', () => {
    const html = renderReportHtml(sampleReport());
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]|<img|<iframe|@import|url\(/i);
    expect(html).toContain('EXACT: 2,000 of 2,000 rows');
  });

  it("inlines uPlot's code and CSS with its licence text", () => {
    const html = renderReportHtml(sampleReport());
    const uplot = uplotAssets();
    expect(uplot.license).toMatch(/Copyright/);
    expect(html).toContain(uplot.license);
    expect(html).toContain(uplot.css);
    expect(html.indexOf(uplot.license)).toBeLessThan(html.indexOf('var uPlot'));
  });

  it('escapes the inline JSON so that it cannot close its script element', () => {
    const report = { ...sampleReport(), options: { note: '</script><b>x' } };
    const html = renderReportHtml(report);
    expect(html).not.toContain('</script><b>x');
  });
});

describe('buildReport with a measured stage time', () => {
  it('uses the measured active time for a stage done before sampling began', () => {
    const base = sampleReport();
    expect(base.throughput.generated.activeMs).toBe(1000);
    const report = buildReport({
      startedAt: 0,
      finishedAt: 5000,
      options: {},
      verdict: null,
      samples: sampleRun().slice(1),
      durationsMs: {},
      latency: base.latencyMs,
      peakRssBytes: 1,
      activeMsOverride: { generated: 1500 },
    });
    expect(report.throughput.generated).toEqual({ count: 3000, activeMs: 1500, perSecond: 2000 });
  });
});
