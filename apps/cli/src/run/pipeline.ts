import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ensureJoinStateTable } from '@kse/enrich';
import { generateDataset, uploadStreamToS3 } from '@kse/generator';
import {
  deleteStreamIfExists,
  deleteTableIfExists,
  emptyBucket,
  ensureBucket,
  ensureStream,
  ensureTable,
  createDynamoDbClient,
  createKinesisClient,
  openAws,
  resolveAwsConfig,
  spawnLocalStack,
  type OpenAws,
  type SpawnedLocalStack,
} from '@kse/local-stack';
import { replay, type ReplaySummary } from '@kse/replay';
import { startEventSourceMapping, type EventSourceMapping } from '@kse/lambda';
import { ENRICHED_TABLE_KEY } from '@kse/schemas';
import { createPipelineHandlers, type PipelineHandlers } from './handlers.js';
import { LatencyRecorder } from './latency.js';
import { buildReport, type PipelineSample, type RunReport } from './report.js';
import { tapStreamPuts, tapTableWrites } from './taps.js';
import { verifyTable, type VerifyResult } from './verifyTable.js';
import type { ProgressWriter, StageTotals } from './progress.js';

/** The two shapes of the pipeline. */
export const TOPOLOGIES = ['seed', 'fused'] as const;
/** `seed`: enrich → OrdersEnrichedStream → sink → table (the sample's); `fused`: enrich → table. */
export type Topology = (typeof TOPOLOGIES)[number];

/** Where the join keeps its state. */
export const JOIN_STATES = ['memory', 'dynamodb'] as const;
/** `memory`: one store per shard in this process; `dynamodb`: the Lambda deployment's table. */
export type JoinState = (typeof JOIN_STATES)[number];

/** Where the embedded local stack runs, when no endpoint or AWS settings are given. */
export const LOCAL_STACKS = ['process', 'inline'] as const;
/**
 * `process`: the emulators in two child Node processes (Kinesis; DynamoDB + S3), so that
 * they use other cores than the pipeline, with their data on disk so that their memory
 * stays flat; `inline`: in this process, in memory, sharing its thread.
 */
export type LocalStackMode = (typeof LOCAL_STACKS)[number];

/** Options of {@link runPipeline}; see `kse run --help`. */
export interface RunPipelineOptions {
  orders: number;
  products: number;
  seed: string;
  shards: number;
  enrichedShards: number;
  /** Records per second put into the source stream, or `max`. */
  rate: number | 'max';
  topology: Topology;
  /** Where the join keeps its state (default `memory`: kse run is one long-running process). */
  joinState: JoinState;
  pollMs: number;
  /** Where the embedded stack runs (when one is started); default `process`. */
  localStack: LocalStackMode;
  deadlineMs: number;
  keep: boolean;
  force: boolean;
  reportDir?: string;
  /** Where the generated files go; default a fresh temporary directory. */
  workDir?: string;
  endpoint?: string;
  region?: string;
  sourceStream: string;
  enrichedStream: string;
  /** Receives the handlers' dead letters (unmatched items, bad records). */
  deadLetterStream: string;
  table: string;
  bucket: string;
  /** Stop waiting when no counter has moved for this long after the replay, ms. */
  idleMs: number;
  /** How often progress is sampled, ms. */
  sampleMs: number;
}

/** Defaults of {@link RunPipelineOptions}: the sample's experiment, sized for `npm start`. */
export const DEFAULT_RUN_OPTIONS = {
  orders: 10_000,
  products: 1000,
  shards: 2,
  enrichedShards: 2,
  rate: 'max',
  topology: 'seed',
  joinState: 'memory',
  pollMs: 200,
  localStack: 'process',
  deadlineMs: 10 * 60_000,
  keep: false,
  force: false,
  sourceStream: 'OrdersStream',
  enrichedStream: 'OrdersEnrichedStream',
  deadLetterStream: 'OrdersDeadLetterStream',
  table: 'OrdersEnriched',
  bucket: 'kse-orders',
  sampleMs: 500,
  idleMs: 90_000,
} satisfies Partial<RunPipelineOptions>;

/** Heap cap of each emulator child process, MB. */
const STACK_HEAP_MB = 256;

/** Event-time orders per second the generator writes (its default `rate`). */
const GENERATOR_ORDERS_PER_SECOND = 1000;
const ITEMS_PER_ORDER = 2;

/** What {@link runPipeline} returns. */
export interface RunPipelineResult {
  verdict: VerifyResult | null;
  report: RunReport;
  /** Why the run stopped short of verification, if it did. */
  error: Error | null;
  /** With `keep`: the environment lines to reach the stack with the AWS CLI. */
  envLines: string[];
  workDir: string;
  timedOut: boolean;
  /** Stops what `keep` left up (the embedded stack, the clients); a no-op otherwise. */
  close(): Promise<void>;
}

/** Where {@link runPipeline} reports as it goes. */
export interface RunIo {
  progress: ProgressWriter;
  /** Human-readable notes (phase changes), to stderr. */
  log(message: string): void;
  /** Monotonic clock and wall clock, injectable. */
  now?: () => number;
}

/**
 * The sample's experiment end to end: resources (reset on a local stack), generate,
 * upload to S3, replay into the source stream, enrich (and sink) under local event source
 * mappings, wait until every expected row has landed or the deadline passes, verify.
 *
 * @example
 * ```ts
 * const result = await runPipeline({ ...DEFAULT_RUN_OPTIONS, seed: 'kse' }, io);
 * process.exitCode = result.verdict?.exact ? 0 : 1;
 * ```
 */
export async function runPipeline(
  options: RunPipelineOptions,
  io: RunIo,
): Promise<RunPipelineResult> {
  const now = io.now ?? Date.now;
  const startedAt = now();
  const durations: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = now();
    io.log(`${name}…`);
    try {
      return await work();
    } finally {
      durations[name] = now() - start;
    }
  };

  const latency = new LatencyRecorder();
  const samples: PipelineSample[] = [];
  const counts = { generated: 0, replayed: 0, replayRetries: 0, replayDeadLettered: 0 };
  let peakRss = process.memoryUsage.rss();
  let aws: OpenAws | undefined;
  let spawned: SpawnedLocalStack | undefined;
  let stackDir: string | undefined;
  /** Stops the embedded stack and removes its data (no-op without one). */
  const stopStack = async (): Promise<void> => {
    await spawned?.stop();
    if (stackDir !== undefined) await rm(stackDir, { recursive: true, force: true });
  };
  let stackPeakRss = 0;
  let handlers: PipelineHandlers | undefined;
  const mappings: EventSourceMapping[] = [];
  const running: EventSourceMapping[] = [];
  const closers: (() => void)[] = [];
  let verdict: VerifyResult | null = null;
  let failure: Error | null = null;
  let timedOut = false;
  let envLines: string[] = [];
  const workDir = resolve(options.workDir ?? (await mkdtemp(join(tmpdir(), 'kse-run-'))));

  try {
    aws = await phase('setup', async () => {
      const given = {
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.region === undefined ? {} : { region: options.region }),
      };
      const resolved = resolveAwsConfig(given);
      if (!resolved.embedded || options.localStack === 'inline') return openAws(given);
      // The emulators are single-threaded and busier than the pipeline: Kinesis in one child
      // process and DynamoDB + S3 in another, they run on other cores than the pipeline.
      // Their data lives on disk (LevelDB), so that their memory stays flat whatever the run's
      // size (in memory, kinesalite holds ~1.4 KB of RSS per record). The children stop when
      // this process exits.
      stackDir = await mkdtemp(join(tmpdir(), 'kse-stack-'));
      spawned = await spawnLocalStack({
        region: resolved.config.region,
        split: true,
        dataDir: stackDir,
        // Their live heap is small (the data is on disk); without a cap, V8 sizes the heap
        // from the machine's memory and lets garbage pile up to hundreds of MB.
        nodeFlags: [`--max-old-space-size=${STACK_HEAP_MB}`],
      });
      return openAws({ ...spawned.config });
    });
    const { kinesis, dynamodb, s3 } = aws.clients;
    const local =
      aws.stack !== undefined || spawned !== undefined || isLoopback(aws.config.endpoints);
    envLines = envLinesOf(aws, aws.stack !== undefined || spawned !== undefined);
    const checkpointTable = `${options.table}-checkpoints`;
    const joinStateTable = `${options.table}-join-state`;

    await phase('resources', async () => {
      if (local) {
        // A verdict must never be fooled by rows, records or checkpoints of an earlier run.
        await Promise.all([
          deleteStreamIfExists(kinesis, options.sourceStream),
          deleteStreamIfExists(kinesis, options.enrichedStream),
          deleteStreamIfExists(kinesis, options.deadLetterStream),
          deleteTableIfExists(dynamodb, options.table),
          deleteTableIfExists(dynamodb, checkpointTable),
          deleteTableIfExists(dynamodb, joinStateTable),
        ]);
      }
      await ensureBucket(s3, options.bucket);
      if (local) await emptyBucket(s3, options.bucket);
      await ensureTable(dynamodb, { tableName: options.table, ...ENRICHED_TABLE_KEY });
      if (!local && !options.force) {
        const { Count = 0 } = await dynamodb.send(
          new ScanCommand({ TableName: options.table, Limit: 1, Select: 'COUNT' }),
        );
        if (Count > 0) {
          throw new Error(
            `table ${options.table} is not empty: kse run will not write into it on AWS, ` +
              'because old rows would fool the verdict. Empty it, or pass --force.',
          );
        }
      }
      await Promise.all([
        options.joinState === 'dynamodb'
          ? ensureJoinStateTable(dynamodb, joinStateTable)
          : Promise.resolve(),
        ensureStream(kinesis, { streamName: options.sourceStream, shardCount: options.shards }),
        ensureStream(kinesis, { streamName: options.deadLetterStream, shardCount: 1 }),
        options.topology === 'seed'
          ? ensureStream(kinesis, {
              streamName: options.enrichedStream,
              shardCount: options.enrichedShards,
            })
          : Promise.resolve(),
      ]);
    });

    const generated = await phase('generate', async () => {
      await mkdir(workDir, { recursive: true });
      return generateDataset({
        outDir: workDir,
        orders: options.orders,
        products: options.products,
        seed: options.seed,
        onProgress: (p) => {
          if (p.part === 'orders') counts.generated = p.lines;
        },
      });
    });
    counts.generated = generated.counts.orders + generated.counts.items;
    const productsPath = join(workDir, 'products.json');
    const ordersPath = join(workDir, 'orders.json');
    const expectedRows = generated.counts.items;

    const keys = { products: 'input/products.json', orders: 'input/orders.json' };
    await phase('upload', async () => {
      await uploadStreamToS3(createReadStream(productsPath), {
        client: s3,
        bucket: options.bucket,
        key: keys.products,
      });
      await uploadStreamToS3(createReadStream(ordersPath), {
        client: s3,
        bucket: options.bucket,
        key: keys.orders,
      });
    });

    // The handlers get their own clients, as they would in Lambda: SDK attempts capped at
    // 3 because their writers own the retries of partial failures (and @kse/enrich's
    // BatchWriter refuses a client allowing more; this SDK's DynamoDB default is 4).
    // Taps on them count what DynamoDB and Kinesis acknowledged.
    const handlerClients = {
      kinesis: createKinesisClient(aws.config, { maxAttempts: 3 }),
      dynamodb: createDynamoDbClient(aws.config, { maxAttempts: 3 }),
      s3,
    };
    closers.push(() => {
      handlerClients.kinesis.destroy();
      handlerClients.dynamodb.destroy();
    });
    const writeTap = tapTableWrites(handlerClients.dynamodb, options.table, latency);
    const joinTap = tapStreamPuts(handlerClients.kinesis, options.enrichedStream);

    handlers = createPipelineHandlers({
      topology: options.topology,
      joinState: options.joinState,
      joinStateTable,
      clients: handlerClients,
      table: options.table,
      enrichedStream: options.enrichedStream,
      deadLetterStream: options.deadLetterStream,
      products: { bucket: options.bucket, key: keys.products },
    });

    const mappingLog =
      (level: string) =>
      (message: string, ...extra: object[]) =>
        io.log(`${level}: ${message}${extra.length > 0 ? ' ' + JSON.stringify(extra) : ''}`);
    const mappingBase = {
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: mappingLog('warn'),
        error: mappingLog('error'),
      },
      kinesis,
      dynamodb,
      checkpointTable,
      batchSize: 500,
      pollIntervalMs: options.pollMs,
      // Read ahead a few batches per shard, no more: a stage that falls behind leaves its
      // backlog in the stream instead of this process's heap (up to 30,000 records per
      // shard with the defaults, ~1 KB each).
      getRecordsLimit: 1_000,
      maxBufferedRecordsPerShard: 2_500,
      functionResponseTypes: ['ReportBatchItemFailures' as const],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 10,
      destinationConfig: {
        onFailure: { type: 'file' as const, path: join(workDir, 'mapping-dead-letters.ndjson') },
      },
      ...(local
        ? { startingPosition: 'TRIM_HORIZON' as const }
        : {
            startingPosition: 'AT_TIMESTAMP' as const,
            startingPositionTimestamp: new Date(startedAt),
          }),
    };
    await phase('start mappings', async () => {
      const start = async (settings: Parameters<typeof startEventSourceMapping>[0]) => {
        const mapping = await startEventSourceMapping(settings);
        mappings.push(mapping);
        running.push(mapping);
      };
      await start({
        ...mappingBase,
        streamName: options.sourceStream,
        functionName: 'kse-enrich',
        handler: handlers!.enrich,
        parallelizationFactor: 1,
      });
      if (options.topology === 'seed' && handlers!.sink !== undefined) {
        await start({
          ...mappingBase,
          streamName: options.enrichedStream,
          functionName: 'kse-sink',
          handler: handlers!.sink,
          parallelizationFactor: 5,
        });
      }
    });

    const totals: StageTotals = {
      generated: counts.generated,
      replayed: counts.generated,
      joined: expectedRows,
      written: expectedRows,
    };
    const sample = (): PipelineSample => {
      const [source, enriched] = mappings.map((m) => m.stats());
      // The mapping keeps the iterator age of its last invocation; a mapping that has read
      // every record put into its stream and holds none in flight is caught up: age 0.
      // (MillisBehindLatest cannot tell: the emulator reports 0 while records wait.)
      const maxAge = (stats: ReturnType<EventSourceMapping['stats']> | undefined, put: number) => {
        if (stats === undefined) return null;
        const shards = Object.values(stats.shards);
        const pending = shards.reduce((n, s) => n + s.inFlight, 0);
        if (stats.counters.recordsRead >= put && pending === 0) return 0;
        const ages = shards.map((s) => s.iteratorAgeMs).filter((a): a is number => a !== undefined);
        return ages.length === 0 ? null : Math.max(...ages);
      };
      const mappingDead = mappings.reduce((n, m) => n + m.stats().counters.recordsDeadLettered, 0);
      const mappingRetries = mappings.reduce((n, m) => n + m.stats().counters.retries, 0);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      return {
        t: now() - startedAt,
        counts: {
          generated: counts.generated,
          replayed: counts.replayed,
          joined: options.topology === 'seed' ? joinTap.accepted : writeTap.written,
          written: writeTap.landed,
          deadLettered: counts.replayDeadLettered + mappingDead + handlers!.deadLettered(),
        },
        iteratorAgeMs: {
          source: maxAge(source, counts.replayed),
          enriched: maxAge(enriched, joinTap.accepted),
        },
        retries: counts.replayRetries + mappingRetries + joinTap.failed + writeTap.unprocessed,
      };
    };
    let previous: PipelineSample | undefined;
    const tick = () => {
      const current = sample();
      samples.push(current);
      io.progress.update(current, previous, totals);
      previous = current;
      return current;
    };
    tick();
    const ticker = setInterval(tick, options.sampleMs);
    let summary: ReplaySummary;
    try {
      const speedup =
        options.rate === 'max'
          ? 0
          : options.rate / (GENERATOR_ORDERS_PER_SECOND * (1 + ITEMS_PER_ORDER));
      const replayDone = phase('replay', () =>
        replay({
          sources: [`s3://${options.bucket}/${keys.orders}`],
          kinesis,
          s3,
          streamName: options.sourceStream,
          partitionKey: 'orderId',
          speedup,
          deadLetterPath: join(workDir, 'replay-dead-letters.ndjson'),
          statsIntervalMs: Math.min(options.sampleMs, 1000),
          onStats: (stats) => {
            counts.replayed = stats.sent;
            counts.replayRetries = stats.retries;
            counts.replayDeadLettered = stats.deadLettered;
          },
        }),
      );
      const deadline = startedAt + options.deadlineMs;
      const landed = await phase('land', async () => {
        summary = await replayDone;
        counts.replayed = summary.sent;
        counts.replayDeadLettered = summary.deadLettered;
        if (summary.error !== null) io.log(`replay stopped early: ${summary.error.message}`);
        let lastState = '';
        let lastChange = now();
        while (writeTap.landed < expectedRows && now() < deadline) {
          await new Promise((r) => setTimeout(r, Math.min(options.sampleMs, 100)));
          const latest = samples[samples.length - 1]!;
          const state = JSON.stringify([latest.counts, latest.retries]);
          if (state !== lastState) {
            lastState = state;
            lastChange = now();
          } else if (now() - lastChange > options.idleMs) {
            io.log(`nothing moved for ${options.idleMs / 1000} s; giving up waiting`);
            break;
          }
        }
        return writeTap.landed >= expectedRows;
      });
      timedOut = !landed;
      if (timedOut)
        io.log(`deadline passed with ${writeTap.landed} of ${expectedRows} rows landed`);
    } finally {
      clearInterval(ticker);
      await Promise.all(running.splice(0).map((m) => m.stop()));
      tick();
      io.progress.done();
    }

    verdict = await phase('verify', () =>
      verifyTable({
        dynamodb,
        tableName: options.table,
        // Scan segments in parallel: the emulator serves one page while this process checks another.
        segments: 4,
        productsPath,
        ordersPath,
        deadLettered: samples[samples.length - 1]!.counts.deadLettered,
      }),
    );
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  } finally {
    await Promise.allSettled(running.map((m) => m.stop()));
    for (const close of closers) close();
    // The peak of the stack's process, read before it stops.
    if (spawned !== undefined) {
      const peaks = await Promise.all(spawned.pids.map((pid) => peakRssOfProcess(pid)));
      stackPeakRss = peaks.reduce((sum, peak) => sum + peak, 0);
    }
    if (!options.keep) {
      await aws?.close();
      await stopStack();
    }
  }

  // maxRSS is the true peak of this process (plus the stack's, when it runs in a child:
  // an upper bound of the peak of both, as if they had peaked at the same time).
  peakRss =
    Math.max(peakRss, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024) +
    stackPeakRss;
  const report = buildReport({
    startedAt,
    finishedAt: now(),
    options: { ...options },
    verdict:
      verdict === null
        ? null
        : {
            exact: verdict.exact,
            expected: verdict.expected,
            landed: verdict.landed,
            missing: verdict.missing,
            unexpected: verdict.unexpected,
            mismatched: verdict.mismatched,
            deadLettered: verdict.deadLettered,
          },
    samples,
    durationsMs: durations,
    latency: latency.summary(),
    peakRssBytes: peakRss,
    ...(durations.generate === undefined
      ? {}
      : { activeMsOverride: { generated: durations.generate } }),
  });
  const kept = options.keep ? aws : undefined;
  return {
    verdict,
    report,
    error: failure,
    envLines,
    workDir,
    timedOut,
    close: async () => {
      await kept?.close();
      if (options.keep) {
        await stopStack();
      }
    },
  };
}

function isLoopback(endpoints: Record<string, string | undefined>): boolean {
  const values = Object.values(endpoints).filter((e): e is string => e !== undefined);
  return (
    values.length > 0 &&
    values.every((e) => {
      const host = new URL(e).hostname;
      return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
    })
  );
}

/** Peak resident set of another process (Linux `/proc`), bytes; 0 when unknown. */
async function peakRssOfProcess(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** `export …` lines that point the AWS CLI at the stack the run used. */
function envLinesOf(aws: OpenAws, embedded: boolean): string[] {
  const { endpoints, region, credentials } = aws.config;
  const lines = [`export AWS_REGION=${region}`, `export AWS_DEFAULT_REGION=${region}`];
  if (endpoints.kinesis) lines.push(`export AWS_ENDPOINT_URL_KINESIS=${endpoints.kinesis}`);
  if (endpoints.dynamodb) lines.push(`export AWS_ENDPOINT_URL_DYNAMODB=${endpoints.dynamodb}`);
  if (endpoints.s3) lines.push(`export AWS_ENDPOINT_URL_S3=${endpoints.s3}`);
  if (embedded && credentials !== undefined) {
    lines.push(
      `export AWS_ACCESS_KEY_ID=${credentials.accessKeyId}`,
      `export AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}`,
    );
  }
  return lines;
}
