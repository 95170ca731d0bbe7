/**
 * Generator benchmark: writes 50,000 and 500,000 orders (2 items each: 150,000 and
 * 1,500,000 order lines, plus 1,000 products) to files, each size in its own child process
 * so that peak RSS is measured honestly. Prints lines/s and MB/s (wall clock and per CPU
 * second: the machine is shared, so CPU time is the steadier figure), peak RSS, and a
 * baseline in the same child: writing the same number of bytes of a fixed buffer to a
 * file, which is what the generation costs over.
 *
 *   npx nx run @kse/generator:bench
 *   KSE_BENCH_ORDERS=50000,200000 npx nx run @kse/generator:bench
 */
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { generateDataset } from '../src/index.js';

interface ChildResult {
  orders: number;
  lines: number;
  bytes: number;
  wallSeconds: number;
  cpuSeconds: number;
  baselineWallSeconds: number;
  peakRssMb: number;
}

async function child(orders: number): Promise<ChildResult> {
  const dir = await mkdtemp(join(tmpdir(), 'kse-gen-bench-'));
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await generateDataset({ outDir: dir, orders });
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const bytes =
      (await stat(result.files.orders!)).size + (await stat(result.files.products!)).size;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;

    // Baseline: the same bytes, from one fixed 256 KiB buffer, to a file.
    const block = Buffer.alloc(256 * 1024, 'x');
    const out = createWriteStream(join(dir, 'baseline'), { highWaterMark: 1024 * 1024 });
    const b0 = performance.now();
    for (let written = 0; written < bytes; written += block.length) {
      if (!out.write(block)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    const baselineWallSeconds = (performance.now() - b0) / 1000;
    return {
      orders,
      lines: result.counts.lines,
      bytes,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      baselineWallSeconds,
      peakRssMb,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runChild(orders: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', String(orders)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    proc.once('message', (message) => resolve(message as ChildResult));
    proc.once('error', reject);
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench child for ${orders} orders exited ${code}`));
    });
  });
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

if (process.argv[2] === '--child') {
  const result = await child(Number(process.argv[3]));
  process.send!(result, () => process.exit(0));
} else {
  const sizes = (process.env.KSE_BENCH_ORDERS ?? '50000,500000').split(',').map(Number);
  const results: ChildResult[] = [];
  for (const orders of sizes) {
    const r = await runChild(orders);
    results.push(r);
    const mb = r.bytes / 1e6;
    console.log(
      `${fmt(r.orders)} orders, ${fmt(r.lines)} lines, ${fmt(mb, 1)} MB: ` +
        `${fmt(r.lines / r.wallSeconds)} lines/s, ${fmt(mb / r.wallSeconds, 1)} MB/s wall ` +
        `(${fmt(r.wallSeconds, 2)} s); ${fmt(r.lines / r.cpuSeconds)} lines/s, ` +
        `${fmt(mb / r.cpuSeconds, 1)} MB/s per CPU-second (${fmt(r.cpuSeconds, 2)} CPU s); ` +
        `peak RSS ${fmt(r.peakRssMb, 1)} MB; baseline plain write ${fmt(mb / r.baselineWallSeconds, 0)} MB/s ` +
        `(generation takes ${fmt(r.wallSeconds / r.baselineWallSeconds, 1)}× the plain write)`,
    );
  }
  if (results.length >= 2) {
    const rss = results.map((r) => r.peakRssMb);
    const spread = (Math.max(...rss) - Math.min(...rss)) / Math.min(...rss);
    console.log(
      `peak RSS spread ${fmt(100 * spread, 1)}% (goal ≤ 20%); goal ≥ 300,000 lines/s at 500,000 orders`,
    );
  }
}
