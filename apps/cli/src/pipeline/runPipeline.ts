import { countSdkRetries } from '@kse/core';
import type { AwsClients } from '@kse/local-stack';
import type { VerifyResult } from '../verify/index.js';
import { wireHandlers } from './handlers.js';
import { generateInput, uploadInput, type RunInput } from './input.js';
import { replayAndLand, stopTraffic } from './land.js';
import { sharedMappingSettings, startMappings } from './mappings.js';
import {
  DEFAULT_LOCAL_BUCKET,
  awsBucketName,
  type ResolvedRunOptions,
  type RunPipelineOptions,
} from './options.js';
import { planResources, prepareResources, runTables, type RunTables } from './resources.js';
import { RunError } from './runError.js';
import { RunState } from './runState.js';
import { createSampler, stageTotals, startTicker } from './sampler.js';
import type { RunIo, RunPipelineResult } from './types.js';
import { verifyRun } from './verifyRun.js';

/**
 * The sample's experiment end to end, one named phase after the other (see
 * {@link runPhases}). A phase that fails stops the run, and so does `io.signal`: what was
 * started is stopped, what was created is removed (unless `keep`), and the report tells
 * how far it got.
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
  const run = await RunState.start(options, io);
  try {
    run.verdict = await runPhases(run);
  } catch (error) {
    // A fatal failure (an endpoint down) is the cause; what failed after it is its echo.
    run.fail(run.fatal ?? error);
  } finally {
    await run.stop();
  }
  return run.result();
}

/**
 * The phases of a run, in order: setup (the target: the embedded stack by default; on a
 * foreign target, the account from STS), resources (on a foreign target: read what exists,
 * confirm, then create what is missing; on a stack kse started: reset), generate the input
 * files, upload them to S3, wire the handlers and start their event source mappings,
 * replay the input while waiting for every expected row to land, verify. Each is timed
 * under its name for the report; an interrupt is honoured between phases and during the
 * replay.
 */
async function runPhases(run: RunState): Promise<VerifyResult> {
  const { phases, stack } = run;
  const aws = await phases.run('setup', async () => {
    const opened = await stack.open(run.options, run.io.tempDirs);
    await stack.identify(run.options);
    run.watchStack();
    return opened;
  });
  run.throwIfInterrupted();
  const options = resolveBucket(run);
  const { clients } = aws;
  const tables = runTables(options.table);
  await prepare(run, options, tables, clients);
  run.throwIfInterrupted();
  const input = await phases.run('generate', () =>
    generateInput(run.workDir, options, run.counters),
  );
  run.expectedRows = input.expectedRows;
  run.throwIfInterrupted();
  await phases.run('upload', () => uploadInput(clients.s3, options.bucket, input));
  run.throwIfInterrupted();

  // The pipeline's own calls (handlers, mappings, replay) go through the fault proxies with
  // `faults`; setup, upload and verification measure, so they go straight to the stack.
  const pipeline = stack.pipelineAws ?? aws;
  // The mappings' and the replay's whole-call retries, by kind, for the report.
  countSdkRetries(pipeline.clients.kinesis, run.retries);
  countSdkRetries(pipeline.clients.dynamodb, run.retries);
  const wired = (run.wired = wireHandlers(pipeline, options, tables, run.latency, run.retries));
  const created = run.created!;
  const shared = sharedMappingSettings({
    clients: pipeline.clients,
    checkpointTable: tables.checkpoints,
    pollMs: options.pollMs,
    workDir: run.workDir,
    freshStreams:
      created.streams.includes(options.sourceStream) &&
      (options.topology === 'fused' || created.streams.includes(options.enrichedStream)),
    startedAt: run.startedAt,
    log: run.io.log,
    onShardError: (error) => run.failFast(error),
  });
  await phases.run('start mappings', () =>
    startMappings(run.mappings, shared, options, wired.handlers),
  );

  await replayAndLandSampled(run, options, input, {
    ...clients,
    kinesis: pipeline.clients.kinesis,
  });
  run.throwIfInterrupted();
  return phases.run('verify', () =>
    verifyRun(clients.dynamodb, options.table, input, run.samples, run.io.log),
  );
}

// The input bucket: the one asked for; else kse-<account>-<region> in an account (bucket
// names are global), else the local default.
function resolveBucket(run: RunState): ResolvedRunOptions {
  const account = run.stack.identity?.account ?? null;
  const bucket =
    run.options.bucket ??
    (account === null
      ? DEFAULT_LOCAL_BUCKET
      : awsBucketName(account, run.stack.aws!.config.region));
  run.bucket = bucket;
  return { ...run.options, bucket };
}

// Reads what exists (a foreign target only), asks before changing anything there, then
// makes the resources and records what the run created.
async function prepare(
  run: RunState,
  options: ResolvedRunOptions,
  tables: RunTables,
  clients: Pick<AwsClients, 'kinesis' | 'dynamodb' | 's3'>,
): Promise<void> {
  const { stack, phases } = run;
  const owner = stack.owner;
  run.plan =
    owner === 'foreign'
      ? await phases.run('plan', () => planResources(clients, options, tables, owner))
      : await planResources(clients, options, tables, owner);
  if (owner === 'foreign') {
    const confirmed =
      run.io.confirm !== undefined &&
      (await run.io.confirm({
        identity: stack.identity ?? { account: null },
        region: stack.aws!.config.region,
        endpoints: { ...stack.aws!.config.endpoints },
        plan: run.plan,
      }));
    if (!confirmed) {
      throw new RunError('KSE_CONFIRMATION_DECLINED', 'not confirmed: nothing was changed', {
        hint: 'answer y, or pass --yes in a script',
      });
    }
  }
  run.throwIfInterrupted();
  run.created = await phases.run('resources', () =>
    prepareResources(clients, options, tables, owner, run.plan),
  );
}

// The `replay` and `land` phases, with the counters sampled (for the progress display and
// the report) from the start of the replay until the mappings have stopped.
async function replayAndLandSampled(
  run: RunState,
  options: ResolvedRunOptions,
  input: RunInput,
  clients: Pick<AwsClients, 'kinesis' | 's3'>,
): Promise<void> {
  const { io, counters, samples, now, startedAt } = run;
  const wired = run.wired!;
  const sample = createSampler({
    counters,
    mappings: run.mappings.all,
    wired,
    topology: options.topology,
    memory: run.memory,
    now,
    startedAt,
    retries: run.retries,
    faultsInjected: () => run.stack.faultReport()?.injected,
    latency: run.latency,
  });
  const totals = stageTotals(counters, input);
  const ticker = startTicker(sample, samples, io.progress, totals, options.sampleMs);
  try {
    run.timedOut = await replayAndLand({
      options,
      clients,
      phases: run.phases,
      input,
      workDir: run.workDir,
      counters,
      writeTap: wired.writeTap,
      samples,
      log: io.log,
      now,
      startedAt,
      signal: run.signal,
      retryCounters: run.retries,
    });
  } finally {
    await stopTraffic(ticker, run.mappings, io.progress, run.fatal !== undefined);
  }
}
