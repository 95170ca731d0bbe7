import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPORT_VERSION, type RunReport } from './buildReport.js';
import { STAGES } from './sample.js';

/** Codes of {@link ReportReadError}. */
export const REPORT_READ_ERROR_CODES = ['KSE_REPORT_NOT_FOUND', 'KSE_REPORT_INVALID'] as const;

/**
 * A report that cannot be read: `KSE_REPORT_NOT_FOUND` (no such file or directory, or a
 * directory without `report.json`) or `KSE_REPORT_INVALID` (not JSON, not a kse run
 * report, a version this kse does not know, a field missing). Names the path.
 */
export class ReportReadError extends Error {
  override readonly name = 'KseReportReadError';

  constructor(
    readonly code: (typeof REPORT_READ_ERROR_CODES)[number],
    readonly path: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${path}: ${message}`, options);
  }
}

/**
 * Reads a run's report: `source` is a `report.json` file or the directory `kse run
 * --report` wrote. Reads this kse's version and the earlier one (version 1: the series it
 * lacked are empty). Throws {@link ReportReadError}.
 *
 * @example
 * ```ts
 * const report = await readReport('out/'); // out/report.json
 * ```
 */
export async function readReport(source: string): Promise<RunReport> {
  const path = await reportJsonPath(source);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ReportReadError('KSE_REPORT_NOT_FOUND', path, 'cannot be read', { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ReportReadError(
      'KSE_REPORT_INVALID',
      path,
      `is not JSON (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  return parseReport(parsed, path);
}

// `report.json` in a directory, or the file itself.
async function reportJsonPath(source: string): Promise<string> {
  const full = resolve(source);
  const found = await stat(full).catch(() => undefined);
  if (found === undefined) {
    throw new ReportReadError('KSE_REPORT_NOT_FOUND', full, 'no such file or directory');
  }
  if (!found.isDirectory()) return full;
  const json = join(full, 'report.json');
  if ((await stat(json).catch(() => undefined)) === undefined) {
    throw new ReportReadError(
      'KSE_REPORT_NOT_FOUND',
      full,
      'holds no report.json (the directory `kse run --report` wrote?)',
    );
  }
  return json;
}

/**
 * Checks that `value` is a kse run report (version 1 or {@link REPORT_VERSION}) and returns
 * it in the current shape; `path` names it in errors.
 */
export function parseReport(value: unknown, path = 'report'): RunReport {
  const invalid = (why: string): ReportReadError =>
    new ReportReadError('KSE_REPORT_INVALID', path, why);
  if (!isObject(value) || value.kind !== 'kse-run-report') {
    throw invalid('is not a kse run report (no "kind": "kse-run-report")');
  }
  const version = value.version;
  if (version !== 1 && version !== REPORT_VERSION) {
    throw invalid(
      `has version ${JSON.stringify(version)}; this kse reads versions 1 to ${REPORT_VERSION}`,
    );
  }
  for (const field of ['counts', 'throughput', 'latencyMs', 'series', 'durationsMs', 'options']) {
    if (!isObject(value[field])) throw invalid(`lacks "${field}"`);
  }
  const series = value.series as Record<string, unknown>;
  if (!Array.isArray(series.t) || !isObject(series.rate) || !isObject(series.iteratorAgeMs)) {
    throw invalid('lacks the series "t", "rate" or "iteratorAgeMs"');
  }
  for (const stage of STAGES) {
    if (!Array.isArray((series.rate as Record<string, unknown>)[stage])) {
      throw invalid(`lacks the rate series of stage "${stage}"`);
    }
  }
  const report = value as unknown as RunReport & { version: 1 | 2 };
  const t = report.series.t;
  return {
    ...report,
    version: REPORT_VERSION,
    deadLettersByCode: report.deadLettersByCode ?? {},
    retriesByKind: report.retriesByKind ?? {},
    series: {
      ...report.series,
      iteratorAgeByShardMs: report.series.iteratorAgeByShardMs ?? { source: {}, enriched: {} },
      retries: report.series.retries ?? {},
      faults: report.series.faults ?? {},
      latencyMs: report.series.latencyMs ?? {
        p50: t.map(() => null),
        p99: t.map(() => null),
      },
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
