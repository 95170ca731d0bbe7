/**
 * Benchmark of `kse run` (not a test): runs the built CLI as a child process, once per
 * scenario, each on its own embedded local stack, and prints wall time, rows/s landed,
 * peak RSS of the whole job (the sum of the peaks of kse run and its two emulator
 * processes) and the end-to-end latency percentiles from the run's report.json.
 *
 *   npx nx run @kse/cli:bench                       # both scenarios of issue 8
 *   npx nx run @kse/cli:bench -- --orders 50000     # one throughput run of that size
 *
 * Scenarios: throughput `kse run --orders 500000` for both topologies (issue 22's goals:
 * exact; wall, verify included, ≤ 4 min for seed and ≤ 3.5 min for fused; peak RSS of the
 * whole job ≤ 1.2 GB), and latency `kse run --rate 2000 --orders 50000` for both topologies
 * (goal p99 ≤ 500 ms and max ≤ 1,300 ms for seed; lower for fused). Each scenario prints its
 * figures as JSON when it ends, and a table of all of them closes the run. The verify
 * phase's own RSS at 100 k and 1 M rows: `npm run bench:verify -w @kse/cli`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

interface Scenario {
  name: string;
  args: string[];
}

const argv = process.argv.slice(2);
const only = argv.indexOf('--orders');
const scenarios: Scenario[] =
  only >= 0
    ? [{ name: `throughput ${argv[only + 1]} orders`, args: argv }]
    : [
        { name: 'throughput 500k orders (seed)', args: ['--orders', '500000'] },
        {
          name: 'throughput 500k orders (fused)',
          args: ['--orders', '500000', '--topology', 'fused'],
        },
        {
          name: 'latency 2000 rec/s, 50k orders (seed)',
          args: ['--rate', '2000', '--orders', '50000'],
        },
        {
          name: 'latency 2000 rec/s, 50k orders (fused)',
          args: ['--rate', '2000', '--orders', '50000', '--topology', 'fused'],
        },
      ];

interface Figures {
  scenario: string;
  exitCode: number;
  exact: boolean;
  wallSeconds: number;
  pipelineSeconds: number;
  verifySeconds: number;
  rowsLandedPerSecond: number;
  peakRssMB: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  report: string;
}
const results: Figures[] = [];
const seconds = (ms: number | undefined): number => Math.round((ms ?? 0) / 100) / 10;

for (const scenario of scenarios) {
  const reportDir = await mkdtemp(join(tmpdir(), 'kse-bench-'));
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      // As `npm start` runs it: a heap sized for the job (see the README).
      [
        '--max-old-space-size=512',
        '--max-semi-space-size=32',
        MAIN,
        'run',
        ...scenario.args,
        '--report',
        reportDir,
        '--deadline',
        '30m',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.pipe(process.stdout);
    child.on('exit', (status) => resolve(status ?? 1));
  });
  const wallMs = performance.now() - started;
  const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8'));
  const lat = report.latencyMs;
  const figures: Figures = {
    scenario: scenario.name,
    exitCode: code,
    exact: report.verdict?.exact ?? false,
    wallSeconds: seconds(wallMs),
    // The land phase starts with the replay and ends when the last row has landed.
    pipelineSeconds: seconds(report.durationsMs.land),
    verifySeconds: seconds(report.durationsMs.verify),
    rowsLandedPerSecond: report.throughput.written.perSecond,
    peakRssMB: Math.round(report.peakRssBytes / 1024 / 1024),
    latencyMs: { p50: lat.p50, p95: lat.p95, p99: lat.p99, max: lat.max },
    report: join(reportDir, 'report.json'),
  };
  results.push(figures);
  console.log(JSON.stringify(figures, null, 2));
}

// The table of the issue: one line per scenario.
console.log('');
console.log('| run | exact | wall s | pipeline s | verify s | peak RSS MB | p99 ms |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  const exact = r.exitCode === 0 && r.exact ? 'yes' : `no (exit ${r.exitCode})`;
  console.log(
    `| ${r.scenario} | ${exact} | ${r.wallSeconds} | ${r.pipelineSeconds} | ${r.verifySeconds} | ${r.peakRssMB.toLocaleString('en-US')} | ${r.latencyMs.p99.toLocaleString('en-US')} |`,
  );
}
