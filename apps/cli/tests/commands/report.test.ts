import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/writeReport.js';
import { faultyReport, sampleReport } from '../report/reportFixtures.js';
import { kse } from './runKse.js';

describe('kse report', () => {
  it("renders a run's report.html again from its report.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kse-report-cmd-'));
    const { html } = await writeReport(dir, faultyReport());
    await writeFile(html, 'stale');
    const ran = await kse('report', dir);
    expect(ran).toMatchObject({ code: 0, stdout: `report: ${html}\n` });
    expect(await readFile(html, 'utf8')).toContain('NOT EXACT: 3 missing');
  });

  it('--compare writes both runs into the --out page', async () => {
    const a = await mkdtemp(join(tmpdir(), 'kse-report-a-'));
    const b = await mkdtemp(join(tmpdir(), 'kse-report-b-'));
    await writeReport(a, sampleReport());
    await writeReport(b, faultyReport());
    const out = join(a, 'nested', 'compare.html');
    const ran = await kse('report', '--compare', a, join(b, 'report.json'), '--out', out);
    expect(ran).toMatchObject({ code: 0, stdout: `report: ${out}\n` });
    const html = await readFile(out, 'utf8');
    expect(html).toContain('data-run="A"');
    expect(html).toContain('data-run="B"');
    expect(html).toContain(`B: <code>${join(b, 'report.json')}</code>`);
  });

  it('fails with KSE_REPORT_NOT_FOUND (exit 2) for a path without a report, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kse-report-none-'));
    const ran = await kse('report', '--compare', dir, join(dir, 'missing'));
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`kse report: KSE_REPORT_NOT_FOUND: ${dir}: holds no report.json`);
    expect(ran.stderr).toMatch(/hint: pass the directory `kse run --report DIR` wrote/);
  });

  it('fails with KSE_REPORT_INVALID (exit 2) for a file that is not a run report, writing nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kse-report-bad-'));
    const file = join(dir, 'report.json');
    await writeFile(file, JSON.stringify({ kind: 'something-else' }));
    const ran = await kse('report', dir);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`KSE_REPORT_INVALID: ${file}: is not a kse run report`);
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });

  it('takes exactly two reports with --compare, one without (KSE_USAGE)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kse-report-usage-'));
    await writeReport(dir, sampleReport());
    const one = await kse('report', '--compare', dir);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('KSE_USAGE: --compare takes two reports, A and B; got 1');
    const two = await kse('report', dir, dir);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('KSE_USAGE: one report to render; got 2');
  });
});
