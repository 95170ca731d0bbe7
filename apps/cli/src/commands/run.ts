import { once } from 'node:events';
import { Option, type Command } from 'commander';
import { DEFAULT_SEED } from '@kse/generator';
import { durationOption, intAtLeast, rateOption } from './options.js';
import {
  DEFAULT_RUN_OPTIONS,
  JOIN_STATES,
  LOCAL_STACKS,
  TOPOLOGIES,
  runPipeline,
  type JoinState,
  type LocalStackMode,
  type RunPipelineOptions,
  type RunPipelineResult,
  type Topology,
} from '../pipeline/index.js';
import { createProgressWriter, formatCount, writeReport, type RunReport } from '../report/index.js';
import { formatVerdict } from '../verify/index.js';

interface RunFlags {
  orders: number;
  products: number;
  seed: string;
  shards: number;
  enrichedShards: number;
  rate: number | 'max';
  topology: Topology;
  joinState: JoinState;
  localStack: LocalStackMode;
  pollMs: number;
  deadline: number;
  keep?: boolean;
  force?: boolean;
  report?: string;
  workDir?: string;
  endpoint?: string;
  region?: string;
  bucket: string;
}

/**
 * `kse run`: the whole pipeline end to end, verified, optionally reported. Exit 0 only
 * when the verdict is exact; 1 when it is not or the run failed; 2 on usage errors.
 */
export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description(
      'Run the whole pipeline end to end (generate, replay, join, enrich, land in DynamoDB) and verify every row',
    );
  addWorkloadOptions(command);
  addSurroundingOptions(command);
  command.addHelpText('after', RUN_HELP).action(runCommand);
}

const RUN_HELP = `
Reproducible: \`kse run --orders N --products P --seed S\` generates exactly the files
\`kse generate --orders N --products P --seed S\` writes, so the expected table can be
re-derived from them (see \`kse verify\`).

Without --endpoint or AWS settings (AWS_ENDPOINT_URL…, AWS_REGION, AWS_PROFILE), kse run
starts local emulators of Kinesis, DynamoDB and S3: in two child processes that stop with
kse run, their data on disk in a temporary directory removed afterwards (--local-stack
process, the default), or in memory in this process (--local-stack inline). On a local stack, the
streams, table and bucket of an earlier run are deleted first. On AWS, kse run refuses
to write into a non-empty table unless --force.

Exit status: 0 when the verdict is exact, 1 when it is not (or the run failed).`;

// What the run generates, and the shape and pace of its pipeline.
function addWorkloadOptions(command: Command): void {
  command
    .option(
      '--orders <n>',
      'orders to generate (2 items each)',
      intAtLeast(1),
      DEFAULT_RUN_OPTIONS.orders,
    )
    .option('--products <n>', 'products to generate', intAtLeast(2), DEFAULT_RUN_OPTIONS.products)
    .option('--seed <text>', 'seed of the generator', DEFAULT_SEED)
    .option('--shards <n>', 'shards of OrdersStream', intAtLeast(1), DEFAULT_RUN_OPTIONS.shards)
    .option(
      '--enriched-shards <n>',
      'shards of OrdersEnrichedStream',
      intAtLeast(1),
      DEFAULT_RUN_OPTIONS.enrichedShards,
    )
    .option('--rate <n>', 'records/s put into OrdersStream, or "max"', rateOption, 'max')
    .addOption(
      new Option(
        '--topology <name>',
        'seed: enrich → OrdersEnrichedStream → sink → table; fused: enrich → table',
      )
        .choices(TOPOLOGIES)
        .default(DEFAULT_RUN_OPTIONS.topology),
    )
    .addOption(
      new Option(
        '--join-state <where>',
        'join state: memory (this process) or dynamodb (a table, as the Lambda deployment uses)',
      )
        .choices(JOIN_STATES)
        .default(DEFAULT_RUN_OPTIONS.joinState),
    )
    .option(
      '--poll-ms <ms>',
      'GetRecords interval per shard',
      intAtLeast(0),
      DEFAULT_RUN_OPTIONS.pollMs,
    )
    .option(
      '--deadline <duration>',
      'give up waiting for rows after this long (e.g. 90s, 10m)',
      durationOption,
      DEFAULT_RUN_OPTIONS.deadlineMs,
    );
}

// Where the run happens, what it leaves behind, and where its files and report go.
function addSurroundingOptions(command: Command): void {
  command
    .option('--keep', 'leave the stack and its data up afterwards, and print how to reach it')
    .option('--force', 'on AWS, write into a table that is not empty')
    .option('--report <dir>', 'write report.json and report.html into this directory')
    .option('--work-dir <dir>', 'where the generated files go (default: a temporary directory)')
    .option(
      '--endpoint <url>',
      'AWS endpoint for every service (default: the embedded local stack)',
    )
    .addOption(
      new Option(
        '--local-stack <where>',
        'the embedded emulators run in child processes (cores of their own, data on disk) or inline (this process, in memory)',
      )
        .choices(LOCAL_STACKS)
        .default(DEFAULT_RUN_OPTIONS.localStack),
    )
    .option('--region <region>', 'AWS region')
    .option('--bucket <name>', 'S3 bucket of the input files', DEFAULT_RUN_OPTIONS.bucket);
}

async function runCommand(flags: RunFlags): Promise<void> {
  // The handlers log and emit EMF metrics per batch, as they do in Lambda; on a
  // terminal that would bury the progress lines. Warnings and errors still show.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const progress = createProgressWriter(process.stderr);
  const result = await runPipeline(pipelineOptionsOf(flags), {
    progress,
    log: (message) => progress.note(`kse run: ${message}`),
  });

  if (result.verdict !== null) process.stdout.write(formatVerdict(result.verdict));
  if (result.error !== null) process.stderr.write(`kse run failed: ${result.error.message}\n`);
  process.stdout.write(summaryLine(result.report));
  if (flags.report !== undefined) {
    const paths = await writeReport(flags.report, result.report);
    process.stdout.write(`report: ${paths.json}, ${paths.html}\n`);
  }
  process.exitCode = result.verdict?.exact === true && result.error === null ? 0 : 1;
  if (flags.keep === true) await holdStack(result);
}

// The pipeline's options: its defaults, overridden by the flags.
function pipelineOptionsOf(flags: RunFlags): RunPipelineOptions {
  return {
    ...DEFAULT_RUN_OPTIONS,
    orders: flags.orders,
    products: flags.products,
    seed: flags.seed,
    shards: flags.shards,
    enrichedShards: flags.enrichedShards,
    rate: flags.rate,
    topology: flags.topology,
    joinState: flags.joinState,
    localStack: flags.localStack,
    pollMs: flags.pollMs,
    deadlineMs: flags.deadline,
    keep: flags.keep === true,
    force: flags.force === true,
    bucket: flags.bucket,
    sampleMs: flags.orders >= 100_000 ? 1000 : DEFAULT_RUN_OPTIONS.sampleMs,
    ...(flags.report === undefined ? {} : { reportDir: flags.report }),
    ...(flags.workDir === undefined ? {} : { workDir: flags.workDir }),
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
  };
}

// One line of figures: wall time, landing rate, latency percentiles, peak RSS.
function summaryLine(report: RunReport): string {
  const lat = report.latencyMs;
  return (
    `wall time ${(report.durationsMs.total! / 1000).toFixed(1)} s; ` +
    `landed ${formatCount(report.throughput.written.perSecond)} rows/s; ` +
    `latency p50 ${lat.p50 ?? '–'} ms, p95 ${lat.p95 ?? '–'} ms, p99 ${lat.p99 ?? '–'} ms, max ${lat.max ?? '–'} ms; ` +
    `peak RSS ${Math.round(report.peakRssBytes / 1024 / 1024)} MB\n`
  );
}

// With --keep: tells how to reach the stack, and keeps it up until Ctrl-C.
async function holdStack(result: RunPipelineResult): Promise<void> {
  process.stdout.write(
    [
      `generated files: ${result.workDir}`,
      'the stack is up; to inspect it with the AWS CLI, in another shell:',
      ...result.envLines.map((line) => `  ${line}`),
      '  aws dynamodb scan --table-name OrdersEnriched --max-items 5',
      'press Ctrl-C to stop it',
      '',
    ].join('\n'),
  );
  await once(process, 'SIGINT');
  await result.close();
}
