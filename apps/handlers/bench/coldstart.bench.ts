/**
 * Cold start of the handler bundles: for each bundle, the module-initialisation time (the
 * `import()` of the built `index.mjs`, from its first byte read to its handler exported) in
 * fresh Node 22 processes with the handler's environment set, and the bytes read at start.
 * The baseline, measured the same way in the same run: the import of an empty module (Node's
 * own cost of an ESM import, the floor of every figure). Goals: init ≤ 150 ms, ≤ 500 KB.
 *
 *   npx nx run @kse/handlers:bench                  # builds the bundles first
 *   KSE_BENCH_RUNS=21 KSE_BENCH_NODE=24 npx nx run @kse/handlers:bench
 *   KSE_BENCH_COMPARE=../other-checkout/apps/handlers npx nx run @kse/handlers:bench
 *
 * With KSE_BENCH_COMPARE, another build's bundles are measured in the same run (interleaved)
 * and each bundle's init and size are printed as a ratio of the other's.
 *
 * Lambda's Node 22 and 24 runtimes run the same import; tracing is off here
 * (`AWS_EXECUTION_ENV` unset), as outside Lambda: where it is on, the tracer file
 * (`tracer.mjs`) starts loading during init and the first invocation awaits it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  BUNDLE_NAMES,
  handlerEnvironment,
  type HandlerResources,
} from '../infra/handlerEnvironment.js';
import type { BundleReport } from '../scripts/bundle.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(root, '../..');
const RUNS = Number(process.env.KSE_BENCH_RUNS ?? 11);
const NODE_LINE = process.env.KSE_BENCH_NODE ?? '22';
const GOAL_INIT_MS = 150;
const GOAL_BYTES = 500_000;

// Runs in the child: the time of the import alone, and since the process started.
const PROBE = `
const url = process.env.KSE_BENCH_MODULE;
const t0 = performance.now();
const mod = await import(url);
const t1 = performance.now();
if (process.env.KSE_BENCH_EXPECT_HANDLER === '1' && typeof mod.handler !== 'function') {
  throw new Error(url + ' exports no handler');
}
process.stdout.write(JSON.stringify({ importMs: t1 - t0, sinceStartMs: t1 }));
`;

const RESOURCES: HandlerResources = {
  topology: 'seed',
  ordersStreamName: 'kse-orders',
  enrichedStreamName: 'kse-enriched',
  deadLetterStreamName: 'kse-dead-letters',
  ordersEnrichedTableName: 'kse-orders-enriched',
  joinStateTableName: 'kse-join-state',
  productsBucket: 'kse-products',
  productsKey: 'products/products.json',
  joinWindowSeconds: 60,
};

/** What Lambda sets that the handlers or the SDK read at init (no tracing, no network). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
};

/**
 * The pinned Node binary of `line`, from tools/node-matrix (installed from the npm registry on
 * first use), asked through its command line: apps do not import tools.
 */
async function pinnedNode(line: string): Promise<{ path: string; version: string }> {
  const { stdout } = await run(
    path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
    [path.join(repoRoot, 'tools', 'node-matrix', 'src', 'cli.ts'), 'which', line],
    { timeout: 600_000 },
  );
  const binary = stdout.trim();
  const { stdout: version } = await run(binary, ['--version']);
  return { path: binary, version: version.trim().replace(/^v/, '') };
}

interface Probe {
  importMs: number;
  sinceStartMs: number;
}

async function probe(node: string, url: string, env: Record<string, string>): Promise<Probe> {
  const { stdout } = await run(node, ['--input-type=module', '-e', PROBE], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...env, KSE_BENCH_MODULE: url },
  });
  return JSON.parse(stdout) as Probe;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;

interface Subject {
  name: string;
  url: string;
  env: Record<string, string>;
  bytes: number;
}

/** One subject per bundle of the build in `appDir` (an `apps/handlers` folder with its dist/). */
async function bundlesOf(appDir: string, label: string): Promise<Subject[]> {
  const reportFile = path.join(appDir, 'dist', 'bundle-report.json');
  const reports = JSON.parse(
    await readFile(reportFile, 'utf8').catch(() => {
      throw new Error(
        `${reportFile} is missing: build the bundles first (npx nx run @kse/handlers:build)`,
      );
    }),
  ) as BundleReport[];
  return BUNDLE_NAMES.map((name) => {
    const report = reports.find((r) => r.name === name);
    if (report === undefined) throw new Error(`${reportFile} has no bundle ${name}`);
    return {
      name: `${name}${label}`,
      url: pathToFileURL(path.join(appDir, report.bundle)).href,
      env: { ...handlerEnvironment(name, RESOURCES), KSE_BENCH_EXPECT_HANDLER: '1' },
      bytes: report.bytes,
    };
  });
}

async function main(): Promise<void> {
  const node = await pinnedNode(NODE_LINE);
  const scratch = await mkdtemp(path.join(tmpdir(), 'kse-coldstart-'));
  const empty = path.join(scratch, 'empty.mjs');
  await writeFile(empty, 'export const handler = async () => ({});\n');
  const baselineSubject: Subject = {
    name: 'baseline',
    url: pathToFileURL(empty).href,
    env: {},
    bytes: 0,
  };
  const bundles = await bundlesOf(root, '');
  // KSE_BENCH_COMPARE=<another checkout's apps/handlers>: its bundles too, in the same run.
  const compareDir = process.env.KSE_BENCH_COMPARE;
  const compared = compareDir ? await bundlesOf(path.resolve(compareDir), ' (compared)') : [];
  const subjects = [baselineSubject, ...bundles, ...compared];
  const samples = new Map<string, Probe[]>(subjects.map((s) => [s.name, []]));
  try {
    // Interleaved, one process at a time: every subject sees the same machine load.
    for (let i = 0; i < RUNS; i += 1) {
      for (const subject of subjects) {
        samples.get(subject.name)!.push(await probe(node.path, subject.url, subject.env));
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const baseline = median(samples.get('baseline')!.map((p) => p.importMs));
  console.log(
    `Cold start, Node ${node.version}, median of ${RUNS} fresh processes each (baseline: import of an empty module, ${ms(baseline)})`,
  );
  if (compareDir) console.log(`compared: the bundles of ${path.resolve(compareDir)}`);
  console.log(
    'bundle                  bytes at start   init (import)   min–max             process start → handler   goals (≤ 150 ms, ≤ 500 KB)',
  );
  const initOf = (subject: Subject) => median(samples.get(subject.name)!.map((p) => p.importMs));
  for (const subject of [...bundles, ...compared]) {
    const probes = samples.get(subject.name)!;
    const imports = probes.map((p) => p.importMs);
    const init = initOf(subject);
    const verdict = [
      init <= GOAL_INIT_MS ? 'init ok' : 'init OVER',
      subject.bytes <= GOAL_BYTES ? 'size ok' : 'size OVER',
    ].join(', ');
    console.log(
      [
        subject.name.padEnd(23),
        kb(subject.bytes).padEnd(16),
        ms(init).padEnd(15),
        `${ms(Math.min(...imports))}–${ms(Math.max(...imports))}`.padEnd(19),
        ms(median(probes.map((p) => p.sinceStartMs))).padEnd(25),
        verdict,
      ].join(' '),
    );
  }
  for (const [index, subject] of compared.entries()) {
    const mine = bundles[index]!;
    console.log(
      `${BUNDLE_NAMES[index]}: init ${(initOf(mine) / initOf(subject)).toFixed(2)}× and bytes ${(mine.bytes / subject.bytes).toFixed(2)}× the compared bundle's`,
    );
  }
}

await main();
