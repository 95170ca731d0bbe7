/**
 * Benchmark of `kse verify` (not a test): for each row count, generates `kse generate`'s
 * data (2 items per order), loads the rows it calls for into a table of a fresh local stack
 * (BatchWriteItem, 16 calls in flight), then runs the built CLI's `kse verify` as a child
 * process, as `npm start` runs kse (`--max-old-space-size=512`), once per segment count,
 * and prints its wall time and peak RSS (VmHWM, read from /proc while it runs).
 *
 *   npm run bench:verify -w @kse/cli                          # 100k and 1M rows, 4 segments
 *   npm run bench:verify -w @kse/cli -- --rows 100000 --segments 1,2,4,8
 *   npm run bench:verify -w @kse/cli -- --rows 100000 --partition-mb 8
 *   npm run bench:verify -w @kse/cli -- --dynamodb dynamodb-local   # the table in DynamoDB Local
 *
 * `--dynamodb dynamodb-local` puts the table in AWS's DynamoDB Local (the jar inside
 * `amplify-dynamodb-simulator`, run with the machine's Java, in memory) instead of the
 * embedded stack's dynalite: the same `kse verify` against a faster server, which tells the
 * verifier's own cost from the emulator's.
 *
 * Goal (issue 22): 1 M rows verified in ≤ 15 s; the verify phase's RSS flat from 100 k to
 * 1 M rows. Needs `npx nx run @kse/cli:build` first (it runs dist/main.js).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { generateDataset } from '@kse/generator';
import {
  createDynamoDbClient,
  ensureTable,
  spawnLocalStack,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '@kse/local-stack';
import { ENRICHED_TABLE_KEY, toDynamoItem, type Order } from '@kse/schemas';
import { loadProductNames, readSourceRecords } from '../src/verify/expectedRows.js';
import { emptyExpectedStats } from '../src/verify/expectedStats.js';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

function textFlag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1]!;
}
function listFlag(name: string, fallback: number[]): number[] {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1]!.split(',').map(Number);
}
const rowCounts = listFlag('--rows', [100_000, 1_000_000]);
const segmentCounts = listFlag('--segments', [4]);
const partitionMb = listFlag('--partition-mb', [])[0];
const server = textFlag('--dynamodb', 'dynalite');
if (server !== 'dynalite' && server !== 'dynamodb-local') {
  throw new Error(`--dynamodb: "dynalite" or "dynamodb-local", not ${JSON.stringify(server)}`);
}

const stack = await spawnLocalStack({ speedups: true });
// In memory either way; DynamoDB Local with the JVM's own defaults (C2 compiler), sized for
// a million rows.
const dynamoDbLocal: DynamoDbLocal | undefined =
  server === 'dynamodb-local'
    ? await startDynamoDbLocal({ heap: '2g', jvmFlags: ['-XX:-UsePerfData'] })
    : undefined;
const endpoint = dynamoDbLocal?.endpoint ?? stack.endpoints.dynamodb;
const dynamodb = createDynamoDbClient({
  ...stack.config,
  endpoints: { ...stack.config.endpoints, dynamodb: endpoint },
});
try {
  for (const rows of rowCounts) {
    const dir = await mkdtemp(join(tmpdir(), 'kse-bench-verify-'));
    try {
      await generateDataset({ outDir: dir, orders: Math.ceil(rows / 2), itemsPerOrder: 2 });
      const table = `bench-verify-${rows}`;
      await ensureTable(dynamodb, { tableName: table, ...ENRICHED_TABLE_KEY });
      const loadStarted = performance.now();
      const loaded = await load(dir, table);
      const loadSeconds = (performance.now() - loadStarted) / 1000;
      for (const segments of segmentCounts) {
        const run = await verify(dir, table, endpoint, segments);
        console.log(
          JSON.stringify({
            rows: loaded,
            dynamodb: server,
            loadSeconds: round(loadSeconds),
            segments,
            partitionMb: partitionMb ?? 'default',
            exitCode: run.exitCode,
            exact: run.exact,
            verifySeconds: round(run.seconds),
            verifyPeakRssMB: Math.round(run.peakRssKb / 1024),
            loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
          }),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
} finally {
  dynamodb.destroy();
  await dynamoDbLocal?.stop();
  await stack.stop();
}

// Loads the rows the files call for, streaming: `kse generate` writes each order just
// before its items, so the latest order joins them.
async function load(dir: string, table: string): Promise<number> {
  const stats = emptyExpectedStats();
  const names = await loadProductNames(join(dir, 'products.json'), stats);
  let order: Order | undefined;
  let batch: WriteRequest[] = [];
  let count = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (requests: WriteRequest[]): void => {
    const call = write(table, requests).finally(() => inFlight.delete(call));
    inFlight.add(call);
  };
  for await (const record of readSourceRecords(join(dir, 'orders.json'), stats)) {
    if (record.recordType === 'Order') {
      order = record;
      continue;
    }
    if (order?.orderId !== record.orderId)
      throw new Error(`item before its order: ${record.orderId}`);
    const { recordType: _o, ...orderFields } = order;
    const { recordType: _i, orderDateTime: _d, ...itemFields } = record;
    const row = {
      event_ts: 1,
      ...orderFields,
      ...itemFields,
      productName: names.get(record.itemId) ?? null,
    };
    batch.push({ PutRequest: { Item: toDynamoItem(row) } });
    count += 1;
    if (batch.length === 25) {
      send(batch);
      batch = [];
      if (inFlight.size >= 16) await Promise.race(inFlight);
    }
  }
  if (batch.length > 0) send(batch);
  await Promise.all(inFlight);
  return count;
}

async function write(table: string, requests: WriteRequest[]): Promise<void> {
  let pending: WriteRequest[] | undefined = requests;
  while (pending !== undefined && pending.length > 0) {
    const response: BatchWriteItemCommandOutput = await dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
    );
    pending = response.UnprocessedItems?.[table];
  }
}

async function verify(
  dir: string,
  table: string,
  endpoint: string,
  segments: number,
): Promise<{ exitCode: number; exact: boolean; seconds: number; peakRssKb: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=512',
      '--max-semi-space-size=32',
      MAIN,
      'verify',
      '--input',
      dir,
      '--table',
      table,
      '--endpoint-url',
      endpoint,
      '--segments',
      String(segments),
      ...(partitionMb === undefined ? [] : ['--partition-mb', String(partitionMb)]),
      '--output',
      'json',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        AWS_REGION: stack.region,
        AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
      },
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let peakRssKb = 0;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm !== null) peakRssKb = Math.max(peakRssKb, Number(hwm[1]));
    } catch {
      // The child has exited.
    }
  }, 50);
  const exitCode = await new Promise<number>((resolve) =>
    child.on('exit', (code) => resolve(code ?? 1)),
  );
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  let exact = false;
  try {
    exact = (JSON.parse(out) as { exact: boolean }).exact;
  } catch {
    process.stderr.write(out);
  }
  return { exitCode, exact, seconds, peakRssKb };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
