import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Acceptance of issue 19: the pipeline survives what AWS does under load. The fault proxy
// (@kse/local-stack) sits in front of the embedded emulators from the first pipeline call,
// so every fault is injected before the rows it could lose are written; the verdict
// compares every row, field for field.
const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');

interface FaultsJson {
  spec: string;
  injected: Record<string, number>;
  retried: Record<string, number>;
}

async function kseRunWithFaults(
  orders: number,
  topology: 'seed' | 'fused',
  faults: string,
): Promise<{
  exact: boolean;
  exitCode: number;
  expectedRows: number;
  faults: FaultsJson;
  stdoutFaults: FaultsJson;
}> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  const reportDir = await mkdtemp(join(tmpdir(), 'kse-faults-report-'));
  const { stdout } = await run(
    process.execPath,
    [
      MAIN,
      'run',
      '--orders',
      String(orders),
      '--topology',
      topology,
      '--faults',
      faults,
      '--output',
      'json',
      '--report',
      reportDir,
    ],
    { env, timeout: 1_150_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as {
    exact: boolean;
    exitCode: number;
    expectedRows: number;
    faults: FaultsJson;
  };
  const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8')) as {
    faults: FaultsJson;
  };
  return { ...result, faults: report.faults, stdoutFaults: result.faults };
}

const total = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((sum, n) => sum + n, 0);

describe('kse run --faults throttle=0.05,5xx=0.02,unprocessed=0.1 (issue 19 acceptance)', () => {
  it.each(['seed', 'fused'] as const)(
    '--orders 20000, %s topology: exact verdict, faults injected and retries seen in the report',
    async (topology) => {
      const result = await kseRunWithFaults(
        20_000,
        topology,
        'throttle=0.05,5xx=0.02,unprocessed=0.1,seed=7',
      );
      expect(result.expectedRows).toBe(40_000);
      expect(result.faults.spec).toBe('throttle=0.05,5xx=0.02,unprocessed=0.1,seed=7');
      expect(result.faults.injected.throttle).toBeGreaterThan(0);
      expect(result.faults.injected['5xx']).toBeGreaterThan(0);
      expect(result.faults.injected.unprocessed).toBeGreaterThan(0);
      expect(total(result.faults.retried)).toBeGreaterThan(0);
      expect(result.faults.retried.unprocessed).toBeGreaterThan(0);
      expect(result.stdoutFaults).toEqual(result.faults);
      expect(result.exact).toBe(true);
      expect(result.exitCode).toBe(0);
    },
    1_200_000,
  );
});

describe('kse run --faults, each other kind the proxy injects', () => {
  it.each([
    ['partial PutRecords entries', 'partial=0.05', 'partial'],
    ['expired iterators', 'expired=0.02', 'expired'],
    ['connection resets', 'reset=0.01', 'reset'],
    // The stall starts with the proxy, so it holds the mappings' first calls however fast
    // the run is (a stall timed later in the run can miss a short run altogether).
    ['added latency and a stall', 'latency=5ms,stall=6s@0s', 'stall'],
  ])(
    'survives %s: exact verdict',
    async (_name, spec, kind) => {
      const result = await kseRunWithFaults(1000, 'seed', `${spec},seed=3`);
      expect(result.faults.injected[kind]).toBeGreaterThan(0);
      if (kind !== 'stall') expect(result.faults.retried[kind]).toBeGreaterThan(0);
      expect(result.exact).toBe(true);
      expect(result.exitCode).toBe(0);
    },
    600_000,
  );
});
