import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@kse/local-stack/testing';
import { childEnv, runKse, startKse } from '../commands/builtKse.js';

// `kill -9` of `kse run` mid-run against a `kse local up` stack whose data is on disk (it
// outlives the run), then the same command with --resume: the table must end exact. The
// kill point is chosen by the run's own progress (the acknowledged replay position its
// manifest records), at a seeded fraction of the input, never by a timer.

const ORDERS = 3000;
const FIRST_ORDER_ID = 10_000_001;

const dir = mkdtempSync(join(tmpdir(), 'kse-resume-'));
const stateFile = join(dir, 'stack.json');
let env: NodeJS.ProcessEnv;
const figures: string[] = [];

interface Manifest {
  state: string;
  workerId: string;
  progress: { replayedThroughOrderId: number | null };
}

function readManifest(workDir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(workDir, 'kse-run.json'), 'utf8')) as Manifest;
  } catch {
    return undefined; // not written yet
  }
}

interface Report {
  verdict: { exact: boolean; expected: number; landed: number; missing: number } | null;
  durationsMs: Record<string, number>;
}

function readReport(reportDir: string): Report {
  return JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as Report;
}

/** `kse run` against the `kse local up` stack (its endpoints from `kse local env`). */
function runArgs(seed: string, workDir: string, reportDir: string): string[] {
  return [
    'run',
    '--target',
    'aws',
    '--state',
    stateFile,
    '--orders',
    String(ORDERS),
    '--seed',
    seed,
    // Paced, so that the replay lasts a few seconds and the kill lands inside it.
    '--rate',
    '1500',
    '--work-dir',
    workDir,
    '--report',
    reportDir,
    '--deadline',
    '5m',
  ];
}

beforeAll(async () => {
  const base = childEnv().env;
  const up = await runKse(
    ['local', 'up', '--state', stateFile, '--data-dir', join(dir, 'stack-data')],
    base,
  );
  expect(up.code, up.stderr).toBe(0);
  const printed = await runKse(['local', 'env', '--state', stateFile], base);
  expect(printed.code).toBe(0);
  env = {
    ...base,
    ...Object.fromEntries(
      printed.stdout
        .trim()
        .split('\n')
        .map((line) => /^export ([A-Z0-9_]+)='(.*)'$/.exec(line)!)
        .map((match) => [match[1], match[2]]),
    ),
  };
}, 120_000);

afterAll(async () => {
  await runKse(['local', 'down', '--state', stateFile], childEnv().env);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `\nkse run --resume figures (${ORDERS} orders, --rate 1500):\n${figures.join('\n')}\n`,
  );
}, 60_000);

describe('kse run --resume', () => {
  it('refuses with KSE_NOTHING_TO_RESUME (exit 2, one line) when the work dir holds no run', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const result = await runKse(['run', '--resume', '--work-dir', empty], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^kse run: KSE_NOTHING_TO_RESUME: nothing to resume: no .*kse-run\.json$/m,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('an uninterrupted run of the same size is exact (the figure to compare with)', async () => {
    const workDir = join(dir, 'base-work');
    const reportDir = join(dir, 'base-report');
    const result = await runKse(runArgs('resume-base', workDir, reportDir), env);
    expect(result.code, result.stderr).toBe(0);
    const report = readReport(reportDir);
    expect(report.verdict).toMatchObject({ exact: true, expected: 2 * ORDERS, landed: 2 * ORDERS });
    // Finished: there is nothing left to resume, and its resources are gone.
    expect(readManifest(workDir)?.state).toBe('finished');
    figures.push(`uninterrupted: wall time ${(report.durationsMs.total! / 1000).toFixed(1)} s`);
  }, 300_000);

  // Kill points spread from early replay to landing (rows land all along the replay).
  const cases = [
    { seed: 1, from: 0.05, to: 0.3 },
    { seed: 2, from: 0.3, to: 0.65 },
    { seed: 3, from: 0.65, to: 0.95 },
  ];
  for (const { seed, from, to } of cases) {
    it(`kill -9 at a seeded point (seed ${seed}, ${from}–${to} of the replay), then --resume: exact`, async () => {
      const random = seededRandom(seed); // each seed's kill point is fixed
      const fraction = from + (to - from) * random();
      const killAtOrder = FIRST_ORDER_ID + Math.floor(fraction * ORDERS);
      const workDir = join(dir, `work-${seed}`);
      const args = runArgs(`resume-${seed}`, workDir, join(dir, `report-${seed}-killed`));

      const first = startKse(args, env);
      let killedAt: number | null = null;
      let triedWhileAlive = seed !== 1;
      for (;;) {
        const written = readManifest(workDir);
        if (!triedWhileAlive && written !== undefined) {
          // Its worker id would take the live run's leases: refused while the run lives.
          triedWhileAlive = true;
          const early = await runKse([...args, '--resume'], env);
          expect(early.code).toBe(2);
          expect(early.stderr).toMatch(/^kse run: KSE_RESUME_CONFLICT: .* is still running/m);
        }
        const through = written?.progress.replayedThroughOrderId ?? null;
        if (through !== null && through >= killAtOrder) {
          first.child.kill('SIGKILL');
          killedAt = through;
          break;
        }
        const exited = await Promise.race([first.exited, delay(25).then(() => undefined)]);
        if (exited !== undefined) break;
      }
      const code = await first.exited;
      expect(
        killedAt,
        `the run ended (exit ${code}) before the kill point:\n${first.stderr()}`,
      ).not.toBeNull();
      expect(code).toBe(128); // killed by a signal
      const manifest = readManifest(workDir)!;
      // (At the upper end the whole replay may have been acknowledged: a kill while landing.)
      expect(manifest.state).toBe('running');

      if (seed === 1) {
        // Options that differ from the run's are refused, before anything is touched.
        const conflict = await runKse(
          [
            ...runArgs(`resume-${seed}`, workDir, join(dir, 'conflict')),
            '--orders',
            '10',
            '--resume',
          ],
          env,
        );
        expect(conflict.code).toBe(2);
        expect(conflict.stderr).toMatch(
          /^kse run: KSE_RESUME_CONFLICT: .*--orders 10 \(the run's: 3000\)/m,
        );
      }

      const reportDir = join(dir, `report-${seed}`);
      const resumed = await runKse(
        [...runArgs(`resume-${seed}`, workDir, reportDir), '--resume'],
        env,
      );
      expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
      // The same worker: its leases are its own, taken back without waiting them out.
      expect(resumed.stderr).toContain(`as worker ${manifest.workerId}`);
      const report = readReport(reportDir);
      expect(report.verdict).toMatchObject({
        exact: true,
        expected: 2 * ORDERS,
        landed: 2 * ORDERS,
        missing: 0,
        deadLettered: 0,
      });
      expect(readManifest(workDir)?.state).toBe('finished');
      // A finished run is not resumed twice.
      const again = await runKse([...args, '--resume'], env);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(
        /KSE_NOTHING_TO_RESUME: nothing to resume: the run in .* finished/,
      );
      figures.push(
        `seed ${seed}: killed with orders through ${killedAt} acknowledged ` +
          `(${Math.round(((killedAt! - FIRST_ORDER_ID + 1) / ORDERS) * 100)} %); ` +
          `resumed run wall time ${(report.durationsMs.total! / 1000).toFixed(1)} s`,
      );
      expect(existsSync(join(workDir, 'orders.json'))).toBe(true);
    }, 420_000);
  }
});
