import { readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { Option, type Command } from 'commander';
import { DEFAULT_SEED } from '@kse/generator';
import { awsCliLines } from './awsCliHints.js';
import {
  addAwsOptions,
  describeTarget,
  resolveTarget,
  selectAws,
  type AwsFlags,
  type AwsSelection,
  type ResolvedTarget,
} from './awsOptions.js';
import { askYesNo, formatConfirmation } from './confirm.js';
import { CliError, EXIT_CODES, classifyError, formatCliError } from './exitCodes.js';
import { onInterrupt } from './interrupt.js';
import { isAlive } from './localState.js';
import type { FaultSpec } from '@kse/local-stack';
import { FAULTS_HELP, durationOption, faultsOption, intAtLeast, rateOption } from './options.js';
import {
  DEFAULT_LOCAL_BUCKET,
  DEFAULT_RUN_OPTIONS,
  JOIN_STATES,
  JOIN_TIMES,
  LOCAL_STACKS,
  TOPOLOGIES,
  isResumable,
  readRunManifest,
  runPipeline,
  type ManifestOptions,
  type RunManifest,
  type JoinState,
  type JoinTime,
  type LocalStackMode,
  type RunConfirmation,
  type RunPipelineOptions,
  type RunPipelineResult,
  type RunTarget,
  type Topology,
} from '../pipeline/index.js';
import {
  createProgressWriter,
  faultLines,
  formatCount,
  terminalColumns,
  writeFitted,
  writeReport,
  type RunReport,
} from '../report/index.js';
import { formatVerdict } from '../verify/index.js';

interface RunFlags extends AwsFlags {
  orders: number;
  products: number;
  seed: string;
  shards: number;
  enrichedShards: number;
  rate: number | 'max';
  aggregate?: boolean;
  topology: Topology;
  joinState: JoinState;
  joinTime: JoinTime;
  joinLateness?: number;
  localStack: LocalStackMode;
  pollMs: number;
  deadline: number;
  keep?: boolean;
  reset?: boolean;
  /** Deprecated spelling of `reset`. */
  force?: boolean;
  yes?: boolean;
  report?: string;
  workDir?: string;
  bucket?: string;
  table: string;
  output?: 'json' | 'text';
  faults?: FaultSpec;
  resume?: boolean;
}

/**
 * `kse run`: the whole pipeline end to end, verified, optionally reported. Exit 0 only
 * when the verdict is exact, 1 when it is not; 2, 3 and 130 as every command (see
 * `EXIT_CODES`).
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
Reproducible: \`kse run --orders N --products P --seed S\` generates exactly the
files \`kse generate --orders N --products P --seed S\` writes, so the expected
table can be re-derived from them (see \`kse verify\`).

Targets. --target local (the default) starts local emulators of Kinesis,
DynamoDB and S3 for this run, whatever AWS_* variables say: in two child
processes with their data in a temporary directory (--local-stack process), or
in this process, in memory (--local-stack inline); all gone at the end.
--target aws (--profile, --region, the credential chain) or --endpoint-url use
an account or an endpoint: kse run first shows the account (STS), the region
and what it will create or change, and asks (--yes in scripts; without a
terminal and without --yes it refuses, exit 2, before any AWS call). The
bucket is kse-<account>-<region> there. What the run creates is removed at the
end unless --keep; nothing else is deleted; a table that holds rows is
refused unless --reset. Only a stack \`kse local up\` started (its --state
file) is reset without asking.

The join. Orders and items join on orderId within a 60 s window, by arrival
time (--join-time arrival, the sample's ROWTIME) or by orderDateTime
(--join-time event, with --join-lateness). A shard that gets no more records is
swept at each idle poll, so an item or an order that met no partner is
dead-lettered (KSE_JOIN_UNMATCHED, KSE_JOIN_UNMATCHED_ORDER) within window +
lateness + one poll, never dropped; the summary counts dead letters by code.

Crash-resume. A run with --work-dir on a stack that outlives it (\`kse local
up\`, an endpoint, an account) is resumable: it keeps its join state in
DynamoDB (unless --join-state says otherwise) and writes <work-dir>/kse-run.json
(options, seed, resource names, its lease owner id, and the replay's position
once Kinesis has acknowledged it). After a crash (kill -9), the same command
with --resume continues it: nothing is reset or created, the replay starts at
the acknowledged position (a few records go twice: the join and the table take
an identical record twice as once), the mappings restart from their
checkpoints under the same worker id (its leases are taken back at once), and
the whole table is verified against the whole input. Nothing to resume:
KSE_NOTHING_TO_RESUME; other workload options or another target than the run's:
KSE_RESUME_CONFLICT (both exit 2).

Exit status: 0 exact verdict, 1 not exact, 2 usage, 3 AWS or infrastructure
failure, 130 interrupted.`;

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
    .option(
      '--aggregate',
      "KPL-aggregate the records put into OrdersStream (the sample replayer's -aggregate)",
    )
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
    .addOption(
      new Option(
        '--join-time <time>',
        "the join's clock: arrival (arrival in OrdersStream, the sample's) or event (orderDateTime)",
      )
        .choices(JOIN_TIMES)
        .default(DEFAULT_RUN_OPTIONS.joinTime),
    )
    .option(
      '--join-lateness <seconds>',
      'how late a record may come and still join (default: 0 with arrival time, 10 with event time)',
      intAtLeast(0),
    )
    .option(
      '--poll-ms <ms>',
      'GetRecords interval per shard',
      intAtLeast(0),
      DEFAULT_RUN_OPTIONS.pollMs,
    )
    .option('--faults <spec>', FAULTS_HELP, faultsOption)
    .option(
      '--deadline <duration>',
      'give up waiting for rows after this long (e.g. 90s, 10m)',
      durationOption,
      DEFAULT_RUN_OPTIONS.deadlineMs,
    );
}

// Where the run happens, what it leaves behind, and where its files and report go.
function addSurroundingOptions(command: Command): void {
  addAwsOptions(command)
    .option('--yes', 'confirm changes to an AWS account or endpoint without asking (scripts)')
    .option('--keep', 'leave the stack and what the run made in place, and print how to reach it')
    .option('--reset', 'empty tables that hold rows (on an account or endpoint) before writing')
    .addOption(new Option('--force', 'deprecated: --reset').hideHelp())
    .option('--report <dir>', 'write report.json and report.html into this directory')
    .option(
      '--work-dir <dir>',
      "where the generated files (and a resumable run's kse-run.json) go (default: a temporary directory)",
    )
    .option(
      '--resume',
      'continue the run whose kse-run.json is in --work-dir, after a crash (same stack, same workload options)',
    )
    .addOption(
      new Option(
        '--local-stack <where>',
        'the embedded emulators run in child processes (cores of their own, data on disk) or inline (this process, in memory)',
      )
        .choices(LOCAL_STACKS)
        .default(DEFAULT_RUN_OPTIONS.localStack),
    )
    .option(
      '--table <name>',
      'DynamoDB table of the enriched rows (its checkpoints: <name>-checkpoints)',
      DEFAULT_RUN_OPTIONS.table,
    )
    .option(
      '--bucket <name>',
      `S3 bucket of the input files (default: ${DEFAULT_LOCAL_BUCKET} locally, kse-<account>-<region> on AWS)`,
    )
    .addOption(
      new Option('--output <format>', 'text: for people; json: the result, for scripts')
        .choices(['json', 'text'])
        .default('text'),
    );
}

async function runCommand(flags: RunFlags, command: Command): Promise<void> {
  const debug = command.optsWithGlobals<{ debug?: boolean }>().debug === true;
  const selection = selectAws(flags, 'kse run');
  if (flags.force === true) process.stderr.write('kse run: --force is deprecated; use --reset\n');
  const resolved = resolveTarget(selection, false);
  const resume = flags.resume === true ? await manifestToResume(flags, command) : undefined;
  if (resume === undefined) refuseWithoutConfirmation(resolved, flags);

  // The handlers log and emit EMF metrics per batch, as they do in Lambda; on a
  // terminal that would bury the progress lines. Warnings and errors still show.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const progress = createProgressWriter(process.stderr);
  const tempDirs: string[] = [];
  const removeTempDirs = (): void => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  };
  const interrupt = onInterrupt(removeTempDirs);
  let result: RunPipelineResult;
  try {
    const options = pipelineOptionsOf(flags, resolved, selection, command, resume);
    result = await runPipeline(
      options,
      {
        progress,
        log: (message) => progress.note(`kse run: ${message}`),
        confirm: (confirmation) => confirm(confirmation, flags.yes === true),
        signal: interrupt.signal,
        tempDirs,
      },
      resume,
    );
  } finally {
    interrupt.dispose();
  }

  const reportPaths =
    flags.report === undefined ? undefined : await writeReport(flags.report, result.report);
  if (flags.output === 'json') printJson(result, reportPaths);
  else printText(result, reportPaths, debug);
  process.exitCode = exitCodeOf(result);
  if (result.interrupted) {
    throw interrupt.interrupted(
      `${formatCount(result.landed)} of ${formatCount(result.expectedRows ?? 0)} rows landed; ${leftLine(result)}`,
    );
  }
  if (flags.keep === true) await keepUp(result, selection, flags.output === 'json');
}

// The flags a resumed run takes from its manifest, with their manifest field.
const RESUMED_FLAGS = [
  ['orders', 'orders'],
  ['products', 'products'],
  ['seed', 'seed'],
  ['shards', 'shards'],
  ['enrichedShards', 'enrichedShards'],
  ['rate', 'rate'],
  ['aggregate', 'aggregate'],
  ['topology', 'topology'],
  ['joinState', 'joinState'],
  ['joinTime', 'joinTime'],
  ['joinLateness', 'joinLatenessSeconds'],
  ['table', 'table'],
  ['bucket', 'bucket'],
] as const satisfies readonly (readonly [keyof RunFlags, keyof ManifestOptions])[];

// `--resume`: the manifest in --work-dir (KSE_NOTHING_TO_RESUME without one), before any
// AWS call; a workload flag given on the command line must say what the manifest says
// (KSE_RESUME_CONFLICT, naming each one), the others are taken from it.
async function manifestToResume(flags: RunFlags, command: Command): Promise<RunManifest> {
  if (flags.workDir === undefined) {
    throw new CliError(
      'KSE_NOTHING_TO_RESUME',
      '--resume needs --work-dir: the run to resume is there',
      {
        hint: 'pass the --work-dir of the run that crashed',
      },
    );
  }
  const manifest = await readRunManifest(flags.workDir);
  // The same worker id would take the live leases of a run that is still going.
  if (runsStill(manifest.process)) {
    throw new CliError(
      'KSE_RESUME_CONFLICT',
      `the run in ${flags.workDir} is still running (kse run, pid ${manifest.process.pid}): there is nothing to resume yet`,
      { hint: 'wait for it to end, or stop it first' },
    );
  }
  const conflicts: string[] = [];
  for (const [flag, field] of RESUMED_FLAGS) {
    if (command.getOptionValueSource(flag) !== 'cli') continue;
    const given = flags[flag] as unknown;
    const kept = manifest.options[field] as unknown;
    if (given !== kept) {
      const name = `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      conflicts.push(
        `${name} ${String(given)} (the run's: ${kept === undefined ? 'unset' : String(kept)})`,
      );
    }
  }
  if (conflicts.length > 0) {
    throw new CliError(
      'KSE_RESUME_CONFLICT',
      `--resume continues the run in ${flags.workDir} with its own options; given: ${conflicts.join(', ')}`,
      { hint: 'drop those flags (the run keeps its own), or start a new run without --resume' },
    );
  }
  return manifest;
}

// True when the process a manifest names is a live `kse` (node) process on this host.
function runsStill(owner: RunManifest['process'] | undefined): boolean {
  if (owner === undefined || owner.host !== hostname() || owner.pid === process.pid) return false;
  if (!isAlive(owner.pid)) return false;
  try {
    // A pid reused by another program is not the run (Linux; elsewhere, alive is enough).
    return readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8').split('\0').includes('run');
  } catch {
    return true;
  }
}

// Before any AWS call (not even STS): a foreign target needs --yes, or a terminal to ask on.
function refuseWithoutConfirmation(resolved: ResolvedTarget, flags: RunFlags): void {
  if (resolved.kind !== 'aws' || flags.yes === true) return;
  if (process.stdin.isTTY === true && process.stderr.isTTY === true) return;
  throw new CliError(
    'KSE_CONFIRMATION_REQUIRED',
    `kse run would create and change resources in ${describeTarget(resolved)}, and there is no terminal to confirm on`,
    { hint: 'run it on a terminal to review and confirm, or pass --yes in a script' },
  );
}

// Shows what will change; asks on the terminal, or goes on with --yes.
async function confirm(confirmation: RunConfirmation, yes: boolean): Promise<boolean> {
  writeFitted(process.stderr, formatConfirmation(confirmation).join('\n') + '\n');
  if (yes) return true;
  return askYesNo('Go on? [y/N] ');
}

// The pipeline's options: its defaults, overridden by the flags.
function pipelineOptionsOf(
  flags: RunFlags,
  resolved: ResolvedTarget,
  selection: AwsSelection,
  command: Command,
  resume: RunManifest | undefined,
): RunPipelineOptions {
  const options = flagOptionsOf(flags, resolved, selection);
  if (resume !== undefined) {
    const { joinLatenessSeconds, ...kept } = resume.options;
    const merged: RunPipelineOptions = {
      ...options,
      ...kept,
      sampleMs: kept.orders >= 100_000 ? 1000 : DEFAULT_RUN_OPTIONS.sampleMs,
    };
    if (joinLatenessSeconds === undefined) delete merged.joinLatenessSeconds;
    else merged.joinLatenessSeconds = joinLatenessSeconds;
    return merged;
  }
  // A resumable run keeps its join state in DynamoDB, where it outlives the process,
  // unless --join-state says otherwise (then --resume refuses it).
  if (isResumable(options) && command.getOptionValueSource('joinState') !== 'cli') {
    process.stderr.write(
      `kse run: resumable (--work-dir ${flags.workDir}): join state in DynamoDB (${options.table}-join-state)\n`,
    );
    return { ...options, joinState: 'dynamodb' };
  }
  return options;
}

function flagOptionsOf(
  flags: RunFlags,
  resolved: ResolvedTarget,
  selection: AwsSelection,
): RunPipelineOptions {
  return {
    ...DEFAULT_RUN_OPTIONS,
    orders: flags.orders,
    products: flags.products,
    seed: flags.seed,
    shards: flags.shards,
    enrichedShards: flags.enrichedShards,
    rate: flags.rate,
    aggregate: flags.aggregate === true,
    topology: flags.topology,
    joinState: flags.joinState,
    joinTime: flags.joinTime,
    ...(flags.joinLateness === undefined ? {} : { joinLatenessSeconds: flags.joinLateness }),
    localStack: flags.localStack,
    pollMs: flags.pollMs,
    deadlineMs: flags.deadline,
    keep: flags.keep === true,
    reset: flags.reset === true || flags.force === true,
    target: runTargetOf(resolved, selection),
    table: flags.table,
    sampleMs: flags.orders >= 100_000 ? 1000 : DEFAULT_RUN_OPTIONS.sampleMs,
    ...(flags.bucket === undefined ? {} : { bucket: flags.bucket }),
    ...(flags.faults === undefined ? {} : { faults: flags.faults }),
    ...(flags.report === undefined ? {} : { reportDir: flags.report }),
    ...(flags.workDir === undefined ? {} : { workDir: flags.workDir }),
  };
}

function runTargetOf(resolved: ResolvedTarget, selection: AwsSelection): RunTarget {
  if (resolved.kind !== 'aws') return resolved;
  // STS is asked where the user pointed the calls; the SDK's own variables for it too.
  const stsEndpoint =
    selection.endpoint ??
    (process.env.AWS_ENDPOINT_URL_STS || undefined) ??
    (process.env.AWS_ENDPOINT_URL || undefined);
  return { ...resolved, ...(stsEndpoint === undefined ? {} : { stsEndpoint }) };
}

function exitCodeOf(result: RunPipelineResult): number {
  if (result.interrupted) return EXIT_CODES.interrupted;
  if (result.error !== null) return classifyError(result.error).exitCode;
  return result.verdict?.exact === true ? EXIT_CODES.ok : EXIT_CODES.notExact;
}

// What the run left: nothing, what --keep kept, or what could not be removed.
function leftLine(result: RunPipelineResult): string {
  if (result.holding) return 'the stack stays up (--keep)';
  if (result.left.length > 0) return `left: ${result.left.join(', ')}`;
  return 'nothing left running';
}

function printText(
  result: RunPipelineResult,
  reportPaths: { json: string; html: string } | undefined,
  debug: boolean,
): void {
  if (result.verdict !== null) writeFitted(process.stdout, formatVerdict(result.verdict));
  if (result.error !== null && !result.interrupted) {
    const lines = formatCliError('kse run', classifyError(result.error), result.error, debug);
    writeFitted(process.stderr, lines.join('\n') + '\n');
  }
  writeFitted(process.stdout, summaryLines(result.report).join('\n') + '\n');
  if (reportPaths !== undefined) {
    writeFitted(process.stdout, `report: ${reportPaths.json}\n        ${reportPaths.html}\n`);
  }
  if (!result.interrupted && result.left.length > 0 && !result.holding) {
    const what = result.error === null && result.verdict !== null ? 'kept' : 'left';
    writeFitted(process.stderr, `kse run: ${what}: ${result.left.join(', ')}\n`);
  }
}

function printJson(
  result: RunPipelineResult,
  reportPaths: { json: string; html: string } | undefined,
): void {
  const report = result.report;
  const error = result.error === null ? null : classifyError(result.error);
  const json = {
    exact: result.verdict?.exact === true,
    exitCode: exitCodeOf(result),
    verdict: result.verdict,
    error: error === null ? null : { code: error.code, message: error.message },
    interrupted: result.interrupted,
    timedOut: result.timedOut,
    target: result.owner,
    bucket: result.bucket ?? null,
    table: result.table,
    landed: result.landed,
    expectedRows: result.expectedRows ?? null,
    wallTimeMs: report.durationsMs.total ?? null,
    landedPerSecond: report.throughput.written.perSecond,
    deadLettersByCode: report.deadLettersByCode,
    latencyMs: report.latencyMs,
    peakRssBytes: report.peakRssBytes,
    faults: report.faults ?? null,
    report: reportPaths ?? null,
    workDir: result.workDirKept ? result.workDir : null,
    left: result.left,
  };
  process.stdout.write(JSON.stringify(json, null, 2) + '\n');
}

/** The run's figures, a few short lines: wall time and rate, latency, peak RSS. */
export function summaryLines(report: RunReport): string[] {
  const lat = report.latencyMs;
  return [
    `wall time ${(report.durationsMs.total! / 1000).toFixed(1)} s; ` +
      `landed ${formatCount(report.throughput.written.perSecond)} rows/s`,
    `latency p50 ${lat.p50 ?? '–'} ms, p95 ${lat.p95 ?? '–'} ms, ` +
      `p99 ${lat.p99 ?? '–'} ms, max ${lat.max ?? '–'} ms`,
    `peak RSS ${Math.round(report.peakRssBytes / 1024 / 1024)} MB`,
    ...deadLetterLines(report),
    ...(report.faults === undefined ? [] : faultLines(report.faults)),
  ];
}

// The handlers' dead letters by code, when there are any (an exact run has none).
function deadLetterLines(report: RunReport): string[] {
  const codes = Object.entries(report.deadLettersByCode).sort(([a], [b]) => a.localeCompare(b));
  if (codes.length === 0) return [];
  return [
    `dead letters by code: ${codes.map(([code, n]) => `${code} ${formatCount(n)}`).join(', ')}`,
  ];
}

// With --keep: tells how to reach what the run kept, with AWS CLI commands that work with
// any AWS CLI v2; an embedded stack is held up until Ctrl-C (or SIGTERM).
async function keepUp(
  result: RunPipelineResult,
  selection: AwsSelection,
  json: boolean,
): Promise<void> {
  const out = json ? process.stderr : process.stdout;
  const width = terminalColumns(out);
  const lines: string[] = [];
  if (result.workDirKept) lines.push(`generated files: ${result.workDir}`);
  if (result.access !== undefined) {
    lines.push(
      result.holding
        ? 'the stack is up; to look at it with the AWS CLI, in another shell:'
        : 'to look at it with the AWS CLI:',
      ...awsCliLines(
        result.access,
        {
          table: result.table,
          stream: DEFAULT_RUN_OPTIONS.sourceStream,
          ...(result.bucket === undefined ? {} : { bucket: result.bucket }),
          ...(selection.profile === undefined ? {} : { profile: selection.profile }),
        },
        width,
      ),
    );
  }
  if (result.holding) lines.push('press Ctrl-C to stop it');
  writeFitted(out, lines.join('\n') + '\n');
  if (!result.holding) return;
  const hold = onInterrupt();
  try {
    await new Promise((resolve) => hold.signal.addEventListener('abort', resolve, { once: true }));
    await result.close();
    writeFitted(process.stderr, 'kse run: stack stopped; nothing left running\n');
  } finally {
    hold.dispose();
  }
}
