/**
 * Replay benchmark, two parts, against the in-process local stack (kinesalite):
 *
 * 1. Throughput: `replay()` from an NDJSON file (speedup max) against a raw PutRecords
 *    loop over the same lines already in memory (same batch size 500, same concurrency 4,
 *    same client settings), interleaved rounds in one process, a fresh 2-shard stream per
 *    run. Prints records/s of each and the ratio replay ÷ raw (goal ≥ 0.8).
 * 2. Memory: a child process replays a ~300 MB file into the local stack (kinesalite on
 *    disk, in this parent process) and reports its own peak RSS (goal ≤ 200 MB). Lines are
 *    padded to ~2 KB so that batches carry ~1 MB: a harder case for memory than ~200 B orders.
 *
 *   npx nx run @kse/replay:bench
 *   KSE_BENCH_LINES=30000 KSE_BENCH_RSS_MB=50 npx nx run @kse/replay:bench
 */
import { fork } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient, ensureStream, startLocalStack } from '@kse/local-stack';
import { replay } from '../src/index.js';
import { buildOrderLines } from '../tests/fixtures.js';

const BATCH = 500;
const CONCURRENCY = 4;
const lineCount = Number(process.env.KSE_BENCH_LINES ?? 20_000);
const rounds = Number(process.env.KSE_BENCH_ROUNDS ?? 5);
const rssMb = Number(process.env.KSE_BENCH_RSS_MB ?? 300);

async function rawLoop(
  kinesis: KinesisClient,
  streamName: string,
  data: Buffer[],
  keys: string[],
): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const start = next;
      next += BATCH;
      if (start >= data.length) return;
      const end = Math.min(start + BATCH, data.length);
      const records = [];
      for (let i = start; i < end; i += 1) records.push({ Data: data[i]!, PartitionKey: keys[i]! });
      const out = await kinesis.send(
        new PutRecordsCommand({ StreamName: streamName, Records: records }),
      );
      failed += out.FailedRecordCount ?? 0;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failed;
}

interface ChildResult {
  maxRssMb: number;
  sent?: number;
  read?: number;
  deadLettered?: number;
  durationMs?: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'kse-replay-bench-'));
let stack = await startLocalStack({ speedups: true });
try {
  let kinesis = createKinesisClient(stack.config, { maxAttempts: 1 });
  let streams = 0;
  const newStream = async (): Promise<string> => {
    const streamName = `bench-${process.pid}-${(streams += 1)}`;
    await ensureStream(kinesis, { streamName, shardCount: 2 });
    return streamName;
  };

  // Part 1: throughput.
  const lines = buildOrderLines({ orders: Math.ceil(lineCount / 3), seed: 1 }).slice(0, lineCount);
  const file = join(dir, 'orders.json');
  writeFileSync(file, lines.join('\n') + '\n');
  const data = lines.map((line) => Buffer.from(line));
  const keys = lines.map((line) => String((JSON.parse(line) as { orderId: number }).orderId));
  console.log(
    `throughput: ${fmt(lineCount)} lines (${(statSync(file).size / 1e6).toFixed(1)} MB), batch ${BATCH}, concurrency ${CONCURRENCY}, ${rounds} interleaved rounds, 2-shard streams`,
  );
  const rawRates: number[] = [];
  const ratios: number[] = [];
  const replayRates: number[] = [];
  // Warm-up (not measured): JIT, sockets and the emulator's first stream.
  await rawLoop(kinesis, await newStream(), data.slice(0, 4_000), keys.slice(0, 4_000));
  const runRaw = async (): Promise<number> => {
    const streamName = await newStream();
    const started = performance.now();
    const failed = await rawLoop(kinesis, streamName, data, keys);
    if (failed > 0) console.log(`  raw loop: ${failed} records failed`);
    const rate = (lineCount * 1000) / (performance.now() - started);
    rawRates.push(rate);
    return rate;
  };
  const runReplay = async (): Promise<number> => {
    const streamName = await newStream();
    const started = performance.now();
    const summary = await replay({
      sources: [file],
      kinesis,
      streamName,
      speedup: 0,
      concurrency: CONCURRENCY,
      maxBatchRecords: BATCH,
      deadLetterPath: join(dir, 'dl.ndjson'),
    });
    if (summary.sent !== lineCount) console.log(`  replay: sent ${summary.sent} of ${lineCount}`);
    const rate = (summary.sent * 1000) / (performance.now() - started);
    replayRates.push(rate);
    return rate;
  };
  for (let round = 1; round <= rounds; round += 1) {
    // Alternate which goes first, so neither always runs on a fresher emulator.
    const [raw, replayed] =
      round % 2 === 1
        ? [await runRaw(), await runReplay()]
        : await (async () => {
            const r = await runReplay();
            return [await runRaw(), r];
          })();
    ratios.push(replayed! / raw!);
    console.log(
      `  round ${round}: raw PutRecords loop ${fmt(raw!)} records/s; replay ${fmt(replayed!)} records/s; ` +
        `ratio ${(replayed! / raw!).toFixed(2)}`,
    );
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const rawBest = median(rawRates);
  const replayBest = median(replayRates);
  console.log(
    `throughput: raw ${fmt(rawBest)} records/s, replay ${fmt(replayBest)} records/s (medians of ${rounds}); ` +
      `ratio replay/raw = ${median(ratios).toFixed(2)} (median of the per-round ratios; goal ≥ 0.80)`,
  );

  // Part 2: peak RSS of a child replaying a large file, into a fresh stack that keeps its
  // data on disk (300 MB of records would otherwise sit in this process's memory).
  kinesis.destroy();
  await stack.stop();
  stack = await startLocalStack({ dataDir: join(dir, 'stack'), speedups: true });
  kinesis = createKinesisClient(stack.config, { maxAttempts: 1 });
  const big = join(dir, 'big.json');
  const out = createWriteStream(big);
  const pad = 'x'.repeat(1_800);
  let written = 0;
  let bigLines = 0;
  for (let order = 0; written < rssMb * 1e6; order += 1) {
    const orderLines = buildOrderLines({ orders: 1, seed: order + 1, stepMs: 0 }).map((line) =>
      line
        .replace('{', `{"pad":"${pad}",`)
        .replace('"orderId":10000001', `"orderId":${10_000_001 + order}`),
    );
    const chunk = orderLines.join('\n') + '\n';
    written += Buffer.byteLength(chunk);
    bigLines += orderLines.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const streamName = await newStream();
  console.log(
    `memory: child replays ${(written / 1e6).toFixed(0)} MB (${fmt(bigLines)} lines of ~2 KB) into the local stack…`,
  );
  const runChild = async (args: string[]): Promise<ChildResult> => {
    const child = fork(fileURLToPath(new URL('./rssChild.ts', import.meta.url)), args, {
      env: { ...process.env, KSE_BENCH_CONFIG: JSON.stringify(stack.config) },
      execArgv: ['--import', 'tsx'],
    });
    const [result] = (await once(child, 'message')) as [ChildResult];
    return result;
  };
  const baseline = await runChild(['--baseline']);
  const result = await runChild(['--replay', big, streamName]);
  console.log(
    `memory: peak RSS ${result.maxRssMb.toFixed(0)} MB (goal ≤ 200 MB; same process without replaying: ${baseline.maxRssMb.toFixed(0)} MB); ` +
      `read ${fmt(result.read!)}, sent ${fmt(result.sent!)}, dead-lettered ${result.deadLettered}, ` +
      `${(result.durationMs! / 1000).toFixed(0)} s, ${fmt((result.sent! * 1000) / result.durationMs!)} records/s`,
  );
  kinesis.destroy();
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
