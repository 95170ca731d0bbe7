import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from './exitCodes.js';
import {
  readReport,
  renderCompareHtml,
  renderReportHtml,
  writeFitted,
  type RunReport,
} from '../report/index.js';

interface ReportFlags {
  compare?: boolean;
  out?: string;
}

/** The file `kse report --compare` writes without `--out`, in the current directory. */
export const DEFAULT_COMPARE_FILE = 'kse-compare.html';

/**
 * `kse report`: renders a run's `report.html` again from its `report.json`, or, with
 * `--compare A B`, two runs side by side in one page. A and B are report directories
 * (what `kse run --report` wrote) or `report.json` files. Prints the path it wrote.
 */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description("Render a run's report.html from its report.json, or compare two runs")
    .argument('<reports...>', 'report directories (kse run --report) or report.json files')
    .option('--compare', 'render two runs, A then B, side by side with their differences')
    .option(
      '--out <file>',
      `HTML file to write (default: report.html beside the report.json; with --compare, ./${DEFAULT_COMPARE_FILE})`,
    )
    .addHelpText(
      'after',
      `
Examples:
  kse report out/                                # out/report.html again from out/report.json
  kse report --compare before/ after/ --out tuning.html

The comparison shows each run's headline (B's with its change from A), the options
of both (those that differ highlighted), and every chart with both runs overlaid
(B dashed). The page is self-contained: it fetches nothing.`,
    )
    .action(reportCommand);
}

async function reportCommand(sources: string[], flags: ReportFlags): Promise<void> {
  const wanted = flags.compare === true ? 2 : 1;
  if (sources.length !== wanted) {
    throw new CliError(
      'KSE_USAGE',
      flags.compare === true
        ? `--compare takes two reports, A and B; got ${sources.length}`
        : `one report to render; got ${sources.length}`,
      { hint: 'kse report DIR, or kse report --compare A B (see `kse report --help`)' },
    );
  }
  // One after the other: the first report that cannot be read is the one named.
  const reports: { report: RunReport; dir: string }[] = [];
  for (const source of sources) reports.push(await load(source));
  const [a, b] = reports;
  let out: string;
  let html: string;
  if (b === undefined) {
    out = resolve(flags.out ?? join(a!.dir, 'report.html'));
    html = renderReportHtml(a!.report);
  } else {
    out = resolve(flags.out ?? DEFAULT_COMPARE_FILE);
    html = renderCompareHtml({
      a: { report: a!.report, name: sources[0]! },
      b: { report: b.report, name: sources[1]! },
    });
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  writeFitted(process.stdout, `report: ${out}\n`);
}

// Reads one report; a missing or invalid one is a usage error naming it.
async function load(source: string): Promise<{ report: RunReport; dir: string }> {
  try {
    const report = await readReport(source);
    const path = resolve(source);
    return { report, dir: (await stat(path)).isDirectory() ? path : dirname(path) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'KSE_REPORT_NOT_FOUND' || code === 'KSE_REPORT_INVALID') {
      throw new CliError(code, (error as Error).message, {
        cause: error,
        hint:
          code === 'KSE_REPORT_NOT_FOUND'
            ? 'pass the directory `kse run --report DIR` wrote, or its report.json'
            : 'pass a report.json that `kse run --report` wrote',
      });
    }
    throw error;
  }
}
