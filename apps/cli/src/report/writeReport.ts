import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from './buildReport.js';
import { renderReportHtml } from './reportHtml.js';

/**
 * Writes `report.json` and `report.html` (self-contained: data and drawing code inline,
 * nothing fetched) into `dir`, creating it. Returns the two paths.
 */
export async function writeReport(
  dir: string,
  report: RunReport,
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  await writeFile(json, JSON.stringify(report, null, 2) + '\n');
  await writeFile(html, renderReportHtml(report));
  return { json, html };
}
