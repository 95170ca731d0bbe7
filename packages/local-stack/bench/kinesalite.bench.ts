// Kinesalite throughput through the AWS SDK: PutRecords (500 records per call) then
// GetRecords (limit 500) of all of them, on a 2-shard stream.
//  1. without vs with installKinesaliteSpeedups(), fresh stack per run, runs alternated
//     in this one process (a baseline measured in the same run);
//  2. in-memory storage (memdown, default) vs disk storage (dataDir: leveldown) at ~300k
//     records, each in a fresh child process (with the speedups), so that RSS and heap
//     growth belong to that storage alone.
// The emulator and the SDK client share one process (and its CPU) here. Prints figures;
// asserts nothing. `npx nx run @kse/local-stack:bench`
//   tsx bench/kinesalite.bench.ts [speedupRecords=30000] [storageRecords=300000] [runs=3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  createKinesisClient,
  ensureStream,
  installKinesaliteSpeedups,
  startLocalStack,
} from '../src/index.js';
import { uninstallKinesaliteSpeedups } from '../src/emulators/speedups/kinesaliteSpeedups.js';

const SHARDS = 2;
const BATCH = 500;
const encoder = new TextEncoder();

/** A ~300-byte JSON order; the partition key is a distinct number. */
function record(i: number): { PartitionKey: string; Data: Uint8Array } {
  const order = {
    orderId: i,
    customerId: (i * 7919) % 100_003,
    createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    status: 'NEW',
    currency: 'EUR',
    items: [
      { productId: (i % 997) + 1, quantity: (i % 5) + 1, unitPrice: 12.5 },
      { productId: (i % 991) + 2, quantity: (i % 3) + 1, unitPrice: 3.99 },
    ],
    shippingAddress: { street: `${i % 400} Example Street`, city: 'Lyon', zip: '69001' },
    note: 'leave at the door',
  };
  return { PartitionKey: String(i), Data: encoder.encode(JSON.stringify(order)) };
}

interface Figures {
  records: number;
  putMs: number;
  getMs: number;
  bytes: number;
}

/** `rssDuringPut` gets the RSS after each quarter of the records is in. */
async function putThenGet(
  kinesis: KinesisClient,
  records: number,
  rssDuringPut?: number[],
): Promise<Figures> {
  const streamName = 'bench';
  await ensureStream(kinesis, { streamName, shardCount: SHARDS });
  let bytes = 0;
  const t0 = performance.now();
  for (let start = 0; start < records; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(records, start + BATCH); i += 1) {
      const r = record(i);
      bytes += r.Data.length;
      batch.push(r);
    }
    const out = await kinesis.send(
      new PutRecordsCommand({ StreamName: streamName, Records: batch }),
    );
    if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
    const done = Math.min(records, start + BATCH);
    if (rssDuringPut && Math.floor((done * 4) / records) > Math.floor((start * 4) / records)) {
      rssDuringPut.push(process.memoryUsage().rss);
    }
  }
  const t1 = performance.now();
  let read = 0;
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    for (;;) {
      const page = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 500 }),
      );
      const n = page.Records?.length ?? 0;
      if (n === 0) break;
      read += n;
      iterator = page.NextShardIterator;
    }
  }
  const t2 = performance.now();
  if (read !== records) throw new Error(`read ${read} records of ${records}`);
  return { records, putMs: t1 - t0, getMs: t2 - t1, bytes };
}

async function run(records: number, speedups: boolean): Promise<Figures> {
  const stack = await startLocalStack();
  // kinesalite looks the helpers up on every request, so this decides what the run uses.
  if (speedups) installKinesaliteSpeedups();
  else uninstallKinesaliteSpeedups();
  const kinesis = createKinesisClient(stack.config);
  try {
    return await putThenGet(kinesis, records);
  } finally {
    kinesis.destroy();
    await stack.stop();
  }
}

const rate = (records: number, ms: number) => (records / ms) * 1000;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(7);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function line(label: string, f: Figures): string {
  return (
    `${label}: put ${fmt(rate(f.records, f.putMs))} rec/s, get ${fmt(rate(f.records, f.getMs))} rec/s, ` +
    `put+get ${fmt(rate(f.records, f.putMs + f.getMs))} rec/s (${f.records} records, ${(f.bytes / f.records).toFixed(0)} B each, ${((f.putMs + f.getMs) / 1000).toFixed(1)} s)`
  );
}

/** Child-process mode: one storage measurement, printed as one JSON line. */
async function storageChild(kind: 'memory' | 'disk', records: number): Promise<void> {
  const dataDir = kind === 'disk' ? mkdtempSync(join(tmpdir(), 'kse-bench-kinesis-')) : undefined;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  try {
    const stack = await startLocalStack(dataDir === undefined ? {} : { dataDir });
    installKinesaliteSpeedups();
    const kinesis = createKinesisClient(stack.config);
    let figures: Figures;
    let afterRun: NodeJS.MemoryUsage;
    const rssDuringPut: number[] = [];
    try {
      figures = await putThenGet(kinesis, records, rssDuringPut);
      gc?.();
      // Measured with the stack still running: what a long-lived emulator holds.
      afterRun = process.memoryUsage();
    } finally {
      kinesis.destroy();
      await stack.stop();
    }
    const maxRssBytes = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ figures, before, afterRun, maxRssBytes, rssDuringPut }));
  } finally {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const speedupRecords = Number(process.argv[2] ?? 30_000);
  const storageRecords = Number(process.argv[3] ?? 300_000);
  const runs = Number(process.argv[4] ?? 3);
  const started = performance.now();
  console.log(
    `kinesalite bench: emulator and AWS SDK client share ONE process (and its CPU); ` +
      `${SHARDS}-shard stream, PutRecords of ${BATCH} records (~300 B JSON, distinct numeric partition keys), ` +
      `then GetRecords limit 500 of all of them; HTTP/1.1 keep-alive client; fresh stack per run.`,
  );

  console.log(
    `\n1. installKinesaliteSpeedups(): ${runs} runs each after a warm-up, alternated, ${speedupRecords} records per run`,
  );
  // Warm-up, not counted: module loading and JIT would otherwise count against run 1.
  await run(Math.min(speedupRecords, 5000), false);
  await run(Math.min(speedupRecords, 5000), true);
  const base: Figures[] = [];
  const fast: Figures[] = [];
  for (let i = 0; i < runs; i += 1) {
    base.push(await run(speedupRecords, false));
    console.log(line(`  run ${i + 1} without (bignumber.js)`, base.at(-1)!));
    fast.push(await run(speedupRecords, true));
    console.log(line(`  run ${i + 1} with speedups (BigInt)`, fast.at(-1)!));
  }
  const ratio = (pick: (f: Figures) => number) =>
    (median(base.map(pick)) / median(fast.map(pick))).toFixed(2);
  console.log(
    `  with/without, medians of time: put ${ratio((f) => f.putMs)}x, get ${ratio((f) => f.getMs)}x, ` +
      `put+get ${ratio((f) => f.putMs + f.getMs)}x faster`,
  );

  console.log(
    `\n2. storage, ${storageRecords} records, speedups on, each in a fresh child process ` +
      `(RSS/heap after the run with the stack still up, after a gc)`,
  );
  const self = fileURLToPath(import.meta.url);
  for (const kind of ['memory', 'disk'] as const) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, '--expose-gc', self, '--storage', kind, String(storageRecords)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
    );
    const last = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !last.startsWith('{')) {
      console.log(`  ${kind}: child failed (status ${child.status}): ${child.stdout}`);
      continue;
    }
    const { figures, before, afterRun, maxRssBytes, rssDuringPut } = JSON.parse(last) as {
      figures: Figures;
      before: NodeJS.MemoryUsage;
      afterRun: NodeJS.MemoryUsage;
      maxRssBytes: number;
      rssDuringPut: number[];
    };
    const label = kind === 'memory' ? 'memory (memdown, default)' : 'disk (dataDir, leveldown)';
    console.log(line(`  ${label}`, figures));
    console.log(
      `    RSS ${mb(before.rss)} -> ${mb(afterRun.rss)} (+${mb(afterRun.rss - before.rss)}, peak ${mb(maxRssBytes)}), ` +
        `heapUsed ${mb(before.heapUsed)} -> ${mb(afterRun.heapUsed)} (+${mb(afterRun.heapUsed - before.heapUsed)}), ` +
        `external+arrayBuffers ${mb(before.external + before.arrayBuffers)} -> ${mb(afterRun.external + afterRun.arrayBuffers)}; ` +
        `data put ${mb(figures.bytes)}`,
    );
    console.log(`    RSS after each quarter of the puts: ${rssDuringPut.map(mb).join(', ')}`);
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[2] === '--storage') {
  await storageChild(process.argv[3] as 'memory' | 'disk', Number(process.argv[4]));
} else {
  await main();
}
