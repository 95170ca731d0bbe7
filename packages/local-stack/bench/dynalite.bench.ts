// Dynalite write throughput through the AWS SDK: BatchWriteItem of 25 items per call,
// `concurrency` calls in flight (kse's BatchWriter default is 4), into a table shaped like
// OrdersEnriched (PK orderId N, SK itemId N, no index), ~17-attribute items.
// For memory storage (memory-level, default) and disk storage (dataDir: classic-level),
// the shortcuts of installDynaliteSpeedups() added one at a time, fresh emulator per run,
// runs alternated after a warm-up (a baseline measured in the same run):
//  1. emulator and SDK client in this one process (they share its CPU, so the ratios
//     understate the gain for the emulator);
//  2. the emulator alone in a child process, as `kse run` has it: its CPU per item.
// Prints figures; asserts nothing.
//   npx nx run @kse/local-stack:bench:dynalite
//   tsx --expose-gc bench/dynalite.bench.ts [items=20000] [runs=3] [concurrency=4] [storage=memory,disk]
// CPU profile of the emulator alone (disk), one configuration (none … +checkTypes):
//   tsx bench/dynalite.bench.ts --profile-child +checkTypes 20000 /tmp/profiles
// or of emulator and client in one process:
//   node --import tsx --cpu-prof bench/dynalite.bench.ts --profile disk none 20000
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  BatchWriteItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, ensureTable, startEmulators, type AwsConfig } from '../src/index.js';
import {
  setDynaliteSpeedups,
  type DynaliteSpeedupParts,
} from '../src/emulators/speedups/dynaliteSpeedups.js';

const BATCH = 25;
const TABLE = 'OrdersEnriched';

type Storage = 'memory' | 'disk';

// Cumulative, in the order of the expected gain: each line adds one shortcut (+coalesce
// only touches on-disk stores, so memory runs skip that line).
const off = {
  tableCache: false,
  putItemSkipRead: false,
  coalescePuts: false,
  fastCheckTypes: false,
  nativeCrc32: false,
};
const CONFIGS: Record<string, DynaliteSpeedupParts> = {
  none: off,
  '+tableCache': { ...off, tableCache: true },
  '+skipRead': { ...off, tableCache: true, putItemSkipRead: true },
  '+coalesce': { ...off, tableCache: true, putItemSkipRead: true, coalescePuts: true },
  '+checkTypes': {
    ...off,
    tableCache: true,
    putItemSkipRead: true,
    coalescePuts: true,
    fastCheckTypes: true,
  },
  '+crc32': {
    tableCache: true,
    putItemSkipRead: true,
    coalescePuts: true,
    fastCheckTypes: true,
    nativeCrc32: true,
  },
};
type ConfigName = keyof typeof CONFIGS;

/** An enriched order item as kse writes it (toDynamoItem of @kse/schemas). */
function item(i: number): Record<string, AttributeValue> {
  const orderId = Math.floor(i / 3) + 1;
  const itemId = i + 1;
  return {
    orderId: { N: String(orderId) },
    orderAmount: { N: String(((orderId * 7919) % 100_000) / 100) },
    itemId: { N: String(itemId) },
    itemAmount: { N: String(((itemId * 104_729) % 10_000) / 100) },
    itemQuantity: { N: String((i % 5) + 1) },
    order_arrival_ts: { N: String(1_700_000_000_000 + orderId * 10) },
    item_arrival_ts: { N: String(1_700_000_000_000 + itemId * 10 + 3) },
    orderStatus: { S: 'SHIPPED' },
    orderDateTime: { S: new Date(1_700_000_000_000 + orderId * 1000).toISOString() },
    shipToName: { S: `Customer ${orderId % 9973}` },
    shipToAddress: { S: `${orderId % 400} Example Street` },
    shipToCity: { S: 'Lyon' },
    shipToState: { S: 'ARA' },
    shipToZip: { S: String(69_001 + (orderId % 9)) },
    itemStatus: { S: 'DELIVERED' },
    event_ts: { N: String(1_700_000_000_000 + itemId * 10 + 5) },
    productName: { S: `Product ${(i % 997) + 1}` },
  };
}

function writeAll(dynamodb: DynamoDBClient, items: number, concurrency: number): Promise<void> {
  return writeAllFrom(dynamodb, 0, items, concurrency);
}

/** Items `from` .. `from + items - 1`. */
async function writeAllFrom(
  dynamodb: DynamoDBClient,
  from: number,
  items: number,
  concurrency: number,
): Promise<void> {
  const end = from + items;
  let next = from;
  const worker = async (): Promise<void> => {
    for (;;) {
      const start = next;
      if (start >= end) return;
      next = Math.min(end, start + BATCH);
      const requests = [];
      for (let i = start; i < next; i += 1) requests.push({ PutRequest: { Item: item(i) } });
      let pending: Record<string, (typeof requests)[number][]> | undefined = {
        [TABLE]: requests,
      };
      while (pending && Object.keys(pending).length > 0) {
        const out = await dynamodb.send(new BatchWriteItemCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Figures {
  items: number;
  ms: number;
  cpuMs: number;
}

async function run(
  storage: Storage,
  config: ConfigName,
  items: number,
  concurrency: number,
  check = false,
): Promise<Figures> {
  // Before the start: the table cache applies to emulators created afterwards.
  setDynaliteSpeedups(CONFIGS[config]!);
  // The previous run's emulator (a whole memory store) is garbage: not this run's cost.
  (globalThis as { gc?: () => void }).gc?.();
  const dataDir =
    storage === 'disk' ? mkdtempSync(join(tmpdir(), 'kse-bench-dynalite-')) : undefined;
  // Without `speedups`: the parts stay as set above.
  const emulators = await startEmulators(['dynamodb'], dataDir === undefined ? {} : { dataDir });
  const config_: AwsConfig = {
    region: 'us-east-1',
    endpoints: { dynamodb: emulators.endpoints.dynamodb! },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const dynamodb = createDynamoDbClient(config_);
  try {
    await ensureTable(dynamodb, {
      tableName: TABLE,
      partitionKey: { name: 'orderId', type: 'N' },
      sortKey: { name: 'itemId', type: 'N' },
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await writeAll(dynamodb, items, concurrency);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (check) {
      let count = 0;
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamodb.send(
          new ScanCommand({ TableName: TABLE, Select: 'COUNT', ExclusiveStartKey }),
        );
        count += page.Count ?? 0;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      if (count !== items) throw new Error(`scan counted ${count} items of ${items}`);
    }
    return { items, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    dynamodb.destroy();
    await emulators.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** User + system CPU time of a process so far, in ms (Linux /proc). */
function processCpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime is the 14th field.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ = 100
}

/**
 * The emulator alone in a child process (as `kse run` has it, but with chosen shortcuts):
 * this bench file run with `--serve`, which prints one JSON line and serves until SIGTERM.
 */
async function startChild(
  storage: Storage,
  config: ConfigName,
  nodeFlags: string[] = [],
): Promise<{ pid: number; endpoint: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...nodeFlags, fileURLToPath(import.meta.url), '--serve', storage, config],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\n');
      if (end >= 0) resolve(buffer.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`bench child exited (${code})`)));
  });
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    endpoint,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Child mode: dynalite alone, with the shortcuts of `config`. */
async function serveChild(storage: Storage, config: ConfigName): Promise<void> {
  setDynaliteSpeedups(CONFIGS[config]!);
  const dataDir =
    storage === 'disk' ? mkdtempSync(join(tmpdir(), 'kse-bench-dynalite-')) : undefined;
  // Without `speedups`: the parts stay as set above.
  const emulators = await startEmulators(['dynamodb'], dataDir === undefined ? {} : { dataDir });
  process.once('SIGTERM', () => {
    void emulators.stop().then(() => {
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    });
  });
  console.log(JSON.stringify({ endpoint: emulators.endpoints.dynamodb }));
}

/** Items written through a child emulator: its own CPU per item, from /proc. */
async function runChild(
  storage: Storage,
  config: ConfigName,
  items: number,
  concurrency: number,
  nodeFlags: string[] = [],
): Promise<Figures & { emulatorCpuMs: number }> {
  const child = await startChild(storage, config, nodeFlags);
  const dynamodb = createDynamoDbClient({
    region: 'us-east-1',
    endpoints: { dynamodb: child.endpoint },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTable(dynamodb, {
      tableName: TABLE,
      partitionKey: { name: 'orderId', type: 'N' },
      sortKey: { name: 'itemId', type: 'N' },
    });
    await writeAll(dynamodb, Math.min(items, 2000), concurrency); // warm-up (JIT)
    const emulator0 = processCpuMs(child.pid);
    const t0 = performance.now();
    await writeAllFrom(dynamodb, 2000, items, concurrency);
    const ms = performance.now() - t0;
    return { items, ms, cpuMs: 0, emulatorCpuMs: processCpuMs(child.pid) - emulator0 };
  } finally {
    dynamodb.destroy();
    await child.stop();
  }
}

/** The configurations that mean something for `storage` (coalescing: on-disk only). */
const configNames = (storage: Storage) =>
  (Object.keys(CONFIGS) as ConfigName[]).filter(
    (name) => storage === 'disk' || name !== '+coalesce',
  );
const storageLabel = (storage: Storage) =>
  storage === 'disk' ? 'disk (dataDir, classic-level)' : 'memory (memory-level)';

const rate = (f: Figures) => Math.round((f.items / f.ms) * 1000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const items = Number(process.argv[2] ?? 20_000);
  const runs = Number(process.argv[3] ?? 3);
  const concurrency = Number(process.argv[4] ?? 4);
  const storages = (process.argv[5] ?? 'memory,disk').split(',') as Storage[];
  const started = performance.now();
  console.log(
    `dynalite bench: emulator and AWS SDK client share ONE process (and its CPU); ` +
      `BatchWriteItem of ${BATCH} items (~17 attributes, distinct keys), ${concurrency} calls in flight, ` +
      `table ${TABLE} (PK orderId N, SK itemId N, no index); fresh emulator per run; ` +
      `${items} items per run, ${runs} runs per configuration after a warm-up, alternated.`,
  );
  for (const storage of storages) {
    const names = configNames(storage);
    console.log(
      `\n${storageLabel(storage)}, emulator and client in this process: items/s of each run, ` +
        `median; CPU of this process per item (median); time and CPU vs none`,
    );
    // Warm-up, not counted (module loading, JIT); checks every configuration stores all.
    for (const name of names) await run(storage, name, Math.min(items, 3000), concurrency, true);
    const figures = Object.fromEntries(names.map((name) => [name, [] as Figures[]]));
    for (let i = 0; i < runs; i += 1) {
      for (const name of names) figures[name]!.push(await run(storage, name, items, concurrency));
    }
    const baseMs = median(figures.none!.map((f) => f.ms));
    const baseCpu = median(figures.none!.map((f) => f.cpuMs));
    for (const name of names) {
      const fs = figures[name]!;
      const ms = median(fs.map((f) => f.ms));
      const cpu = median(fs.map((f) => f.cpuMs));
      console.log(
        `  ${name.padEnd(12)} ${fs.map((f) => String(rate(f)).padStart(6)).join(' ')} items/s, ` +
          `median ${String(Math.round((items / ms) * 1000)).padStart(6)}; ` +
          `CPU ${((cpu / items) * 1000).toFixed(0).padStart(4)} µs/item` +
          (name === 'none'
            ? ''
            : `; ${(baseMs / ms).toFixed(2)}x faster, ${(baseCpu / cpu).toFixed(2)}x less CPU`),
      );
    }
  }

  console.log(
    `\nemulator alone in a child process (as kse run): CPU time of that process per item ` +
      `(user+system, from /proc, all its threads), median; time and CPU vs none; ` +
      `${items} items per run after 2000 warm-up items`,
  );
  for (const storage of storages) {
    const names = configNames(storage);
    console.log(`${storageLabel(storage)}:`);
    const cpu = Object.fromEntries(names.map((name) => [name, [] as number[]]));
    const times = Object.fromEntries(names.map((name) => [name, [] as Figures[]]));
    for (let i = 0; i < runs; i += 1) {
      for (const name of names) {
        const f = await runChild(storage, name, items, concurrency);
        cpu[name]!.push((f.emulatorCpuMs / items) * 1000);
        times[name]!.push(f);
      }
    }
    const baseCpu = median(cpu.none!);
    const baseMs = median(times.none!.map((f) => f.ms));
    for (const name of names) {
      const c = median(cpu[name]!);
      const ms = median(times[name]!.map((f) => f.ms));
      console.log(
        `  ${name.padEnd(12)} emulator CPU ${cpu[name]!.map((x) => x.toFixed(0).padStart(4)).join(' ')} µs/item, ` +
          `median ${c.toFixed(0).padStart(4)}; ${times[name]!.map((f) => String(rate(f)).padStart(6)).join(' ')} items/s` +
          (name === 'none'
            ? ''
            : `; ${(baseMs / ms).toFixed(2)}x faster, ${(baseCpu / c).toFixed(2)}x less CPU`),
      );
    }
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[2] === '--serve') {
  await serveChild(process.argv[3] as Storage, process.argv[4] as ConfigName);
} else if (process.argv[2] === '--profile-child') {
  // The emulator child writes its own profile to --cpu-prof-dir when it stops.
  const config = process.argv[3] as ConfigName;
  const items = Number(process.argv[4] ?? 20_000);
  const f = await runChild('disk', config, items, 4, [
    '--cpu-prof',
    `--cpu-prof-dir=${process.argv[5] ?? '.'}`,
  ]);
  console.log(
    `${config}: emulator CPU ${((f.emulatorCpuMs / items) * 1000).toFixed(0)} µs/item, ${rate(f)} items/s`,
  );
} else if (process.argv[2] === '--profile') {
  const storage = process.argv[3] as Storage;
  const config = process.argv[4] as ConfigName;
  const items = Number(process.argv[5] ?? 20_000);
  await run(storage, config, Math.min(items, 3000), 4, true);
  const f = await run(storage, config, items, 4);
  console.log(`${storage} ${config}: ${rate(f)} items/s`);
} else {
  await main();
}
