/**
 * Enrichment benchmark, in memory, no AWS.
 *
 * 1. Throughput: 500,000 orders (1.5 M records) through preprocess → interval join
 *    (arrival time, 60 s window, in-memory state) → products lookup → row building →
 *    JSON.stringify of each row, in batches of 500 as Lambda delivers them. The floor,
 *    measured in the same process on the same batches, interleaved batch by batch:
 *    JSON.parse of every input line + JSON.stringify of every output row. Goal (issue 22):
 *    ratio ≤ 1.3. Input is generated a chunk at a time, just before it is used, so
 *    whichever side reads a line first also pays the scavenger for moving it, still young,
 *    to the old generation: the floor's parse runs before the pipeline on even batches and
 *    after it on odd ones, so each side pays that harness cost on half of them. (Timed a
 *    chunk of 2,000 orders at a time, the floor last, the pipeline paid all of it, and for
 *    keeping the chunk's rows alive for the floor: 1.70× then, 1.43× now, same code.)
 * 2. Memory: peak RSS with a 60 s window at 1,000 orders/s, event time, for 100,000 and
 *    500,000 orders, each in its own child process (honest RSS): `runEnrichment` over a
 *    source generated as it is read, rows dropped once counted (as once written). Goal
 *    ≤ 300 MB and flat.
 *
 *   npx nx run @kse/enrich:bench
 *   KSE_BENCH_ORDERS=100000 npx nx run @kse/enrich:bench
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  InMemoryJoinStore,
  IntervalJoin,
  createPreprocessor,
  loadReferenceTable,
  runEnrichment,
  type RawInput,
} from '../src/index.js';
import type { EnrichedOrderItem } from '@kse/schemas';
import { chunk, products, type Line } from './data.js';

// Input is generated per chunk (outside the timing) so that a run holds one chunk at a time.
const CHUNK_ORDERS = 2_000;
const BATCH = 500;

async function pipelineRun(
  orders: number,
  time: 'arrival' | 'event',
  hooks: {
    /** Called with each batch's input lines before the pipeline reads them. */
    before?: (lines: Line[], batchIndex: number) => void;
    /** Called with each batch's input lines and output rows after the pipeline. */
    after?: (lines: Line[], rows: EnrichedOrderItem[], batchIndex: number) => void;
  } = {},
): Promise<{ rows: number; deadLetters: number; ms: number; records: number }> {
  const table = await loadReferenceTable({ products: products() });
  const join = new IntervalJoin({
    store: new InMemoryJoinStore(),
    products: table,
    windowMs: 60_000,
    time,
  });
  const pre = createPreprocessor();
  let rows = 0;
  let deadLetters = 0;
  let records = 0;
  let total = 0;
  let batchIndex = 0;
  for (let from = 0; from < orders; from += CHUNK_ORDERS) {
    const lines = chunk(from, Math.min(orders, from + CHUNK_ORDERS));
    const inputs: RawInput[] = lines.map((l, i) => ({
      data: l.text,
      arrivalTime: l.arrivalTime,
      position: from * 3 + i,
    }));
    let bytes = 0;
    for (let i = 0; i < inputs.length; i += BATCH) {
      const batchLines = lines.slice(i, i + BATCH);
      const batch = inputs.slice(i, i + BATCH);
      hooks.before?.(batchLines, batchIndex);
      const started = performance.now();
      const result = pre(batch);
      deadLetters += result.deadLetters.length;
      const joined = await join.process(result.records);
      for (const row of joined.rows) bytes += JSON.stringify(row).length;
      deadLetters += joined.deadLetters.length;
      // Outputs handled (counted, stringified): the state moves on.
      await joined.commit();
      total += performance.now() - started;
      rows += joined.rows.length;
      hooks.after?.(batchLines, joined.rows, batchIndex);
      batchIndex += 1;
    }
    records += lines.length;
    if (bytes < 0) console.log(bytes);
  }
  const rest = await join.flush();
  await rest.commit();
  deadLetters += rest.deadLetters.length;
  return { rows, deadLetters, ms: total, records };
}

// The floor's two halves: JSON.parse of the same input lines, and JSON.stringify of the
// same output row objects, as the pipeline's.
function floorParse(lines: Line[]): number {
  const started = performance.now();
  let sink = 0;
  for (const line of lines) sink += (JSON.parse(line.text) as { orderId: number }).orderId & 1;
  const ms = performance.now() - started;
  if (sink < 0) console.log(sink);
  return ms;
}

function floorStringify(objects: EnrichedOrderItem[]): number {
  const started = performance.now();
  let sink = 0;
  for (const object of objects) sink += JSON.stringify(object).length & 1;
  const ms = performance.now() - started;
  if (sink < 0) console.log(sink);
  return ms;
}

async function throughput(orders: number): Promise<void> {
  let floorMs = 0;
  const floorHooks = {
    before: (lines: Line[], batchIndex: number): void => {
      if (batchIndex % 2 === 0) floorMs += floorParse(lines);
    },
    after: (lines: Line[], rows: EnrichedOrderItem[], batchIndex: number): void => {
      if (batchIndex % 2 === 1) floorMs += floorParse(lines);
      floorMs += floorStringify(rows);
    },
  };
  // Warm-up on a small run so both sides are compiled before timing.
  await pipelineRun(20_000, 'arrival', floorHooks);
  floorMs = 0;
  const result = await pipelineRun(orders, 'arrival', floorHooks);
  const perSec = (n: number, ms: number): string =>
    `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
  console.log(
    `throughput: ${orders.toLocaleString('en-US')} orders, ${result.records.toLocaleString('en-US')} records → ${result.rows.toLocaleString('en-US')} rows, ${result.deadLetters} dead letters`,
  );
  console.log(
    `  enrich (preprocess + join + lookup + build + stringify): ${result.ms.toFixed(0)} ms, ${perSec(result.records, result.ms)} records`,
  );
  console.log(
    `  floor  (JSON.parse inputs + JSON.stringify rows):         ${floorMs.toFixed(0)} ms, ${perSec(result.records, floorMs)} records`,
  );
  console.log(`  ratio enrich / floor: ${(result.ms / floorMs).toFixed(2)}× (goal ≤ 1.3×)`);
}

async function memoryChild(orders: number): Promise<void> {
  const baselineMb = process.memoryUsage().rss / 2 ** 20;
  const join = new IntervalJoin({
    store: new InMemoryJoinStore(),
    products: await loadReferenceTable({ products: products() }),
    windowMs: 60_000,
    time: 'event',
  });
  // A long-lived process: the package's runner over a source read as it comes (generated
  // a batch's worth of orders at a time, not all held in advance), each batch's rows and
  // dead letters counted and dropped, as a consumer does once it has written them. (The
  // previous harness held 2,000 orders of input and of output rows at a time, so that
  // much more than the join's state reached the old generation.)
  async function* source(): AsyncGenerator<RawInput> {
    const step = Math.ceil(BATCH / 3);
    for (let from = 0; from < orders; from += step) {
      const lines = chunk(from, Math.min(orders, from + step));
      for (let i = 0; i < lines.length; i += 1) {
        yield { data: lines[i]!.text, arrivalTime: lines[i]!.arrivalTime, position: from * 3 + i };
      }
    }
  }
  let rows = 0;
  let deadLetters = 0;
  for await (const output of runEnrichment(source(), {
    join,
    batchSize: BATCH,
    flushAtEnd: false,
  })) {
    rows += output.rows.length;
    deadLetters += output.deadLetters.length;
  }
  // Live heap at the end of the stream, before the final flush: the join's steady state.
  (globalThis as { gc?: () => void }).gc?.();
  const liveHeapMb = process.memoryUsage().heapUsed / 2 ** 20;
  const rest = await join.flush();
  await rest.commit();
  deadLetters += rest.deadLetters.length;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      orders,
      rows,
      deadLetters,
      peakRssMb: Math.round(peakMb),
      baselineRssMb: Math.round(baselineMb),
      liveHeapMb: Math.round(liveHeapMb),
    }),
  );
}

interface MemoryReport {
  peakRssMb: number;
  baselineRssMb: number;
  liveHeapMb: number;
  rows: number;
}

function memory(sizes: number[], flags: string[], label: string): void {
  const self = fileURLToPath(import.meta.url);
  console.log(
    `memory (${label}): event time, 60 s window, 1,000 orders/s, one child process per size`,
  );
  const peaks: number[] = [];
  for (const orders of sizes) {
    const child = spawnSync(
      process.execPath,
      [...flags, '--expose-gc', '--import', 'tsx', self, '--memory-child', String(orders)],
      { encoding: 'utf8', env: process.env },
    );
    if (child.status !== 0) {
      console.log(`  ${orders}: child failed (${child.status}): ${child.stderr}`);
      continue;
    }
    const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as MemoryReport;
    peaks.push(report.peakRssMb);
    console.log(
      `  ${orders.toLocaleString('en-US')} orders: peak RSS ${report.peakRssMb} MB (goal ≤ 300 MB; process baseline before data ${report.baselineRssMb} MB incl. tsx), live heap before the final flush ${report.liveHeapMb} MB, ${report.rows.toLocaleString('en-US')} rows`,
    );
  }
  if (peaks.length === 2) {
    console.log(
      `  peak RSS growth ${sizes[0]!.toLocaleString('en-US')} → ${sizes[1]!.toLocaleString('en-US')} orders: ${peaks[1]! - peaks[0]!} MB (goal: flat)`,
    );
  }
}

const args = process.argv.slice(2);
if (args[0] === '--memory-child') {
  await memoryChild(Number(args[1]));
} else {
  const orders = Number(process.env.KSE_BENCH_ORDERS ?? 500_000);
  await throughput(orders);
  if (process.env.KSE_BENCH_SKIP_MEMORY === '1') process.exit(0);
  const sizes = [Math.min(100_000, orders), orders];
  memory(sizes, [], 'default V8 heap sizing');
  // A process sized for the job, as Lambda sizes the heap from its memory setting.
  memory(sizes, ['--max-old-space-size=192'], 'node --max-old-space-size=192');
}
