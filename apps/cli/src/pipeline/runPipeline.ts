import { countSdkRetries } from '@kse/core';
import type { AwsClients } from '@kse/local-stack';
import type { VerifyResult } from '../verify/index.js';
import { wireHandlers } from './handlers.js';
import { generateInput, uploadInput, type RunInput } from './input.js';
import { replayAndLand, replayKinesisClient, stopTraffic } from './land.js';
import { sharedMappingSettings, startMappings } from './mappings.js';
import {
  DEFAULT_LOCAL_BUCKET,
  awsBucketName,
  isResumable,
  type ResolvedRunOptions,
  type RunPipelineOptions,
} from './options.js';
import { planResources, prepareResources, runTables, type RunTables } from './resources.js';
import { countLandedRows, resumeRun, startManifest } from './resume.js';
import { RunError } from './runError.js';
import type { RunManifest } from './runManifest.js';
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
  /**
   * The manifest of the run to continue (`kse run --resume`, from `readRunManifest`): its
   * streams and tables are used as they are (nothing reset or created), the replay starts
   * at its acknowledged position, the mappings restart from their checkpoints under its
   * worker id, and the whole table is verified against the whole input.
   */
  resume?: RunManifest,
): Promise<RunPipelineResult> {
  const run = await RunState.start(options, io, resume);
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
  if (run.resume === undefined) {
    await prepare(run, options, tables, clients);
    run.throwIfInterrupted();
    if (isResumable(options)) {
      run.manifest = await startManifest({
        workDir: run.workDir,
        options,
        tables,
        owner: stack.owner,
        config: aws.config,
        created: run.created!,
        freshStreams: freshStreams(options, run.created!.streams),
        startedAtMs: Date.now(),
      });
    }
  } else {
    const resume = run.resume;
    run.manifest = await phases.run('resume', () =>
      resumeRun({
        workDir: run.workDir,
        manifest: resume,
        owner: stack.owner,
        config: aws.config,
        clients,
      }),
    );
    run.created = resume.resources.created;
    const from = resume.progress.replayedThroughOrderId;
    run.io.log(
      `resuming the run in ${run.workDir} (start ${resume.resumes + 2}) as worker ${resume.workerId}, ` +
        `which takes its leases back at once; replay from ${from === null ? 'the first order' : `order ${from}`}`,
    );
  }
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
  if (run.resume !== undefined) {
    const rows = await phases.run('count landed', () =>
      countLandedRows(clients.dynamodb, options.table, wired.writeTap),
    );
    run.io.log(`${rows} of ${input.expectedRows} rows had landed before the resume`);
  }
  const created = run.created!;
  const manifest = run.manifest?.manifest;
  const shared = sharedMappingSettings({
    clients: pipeline.clients,
    checkpointTable: tables.checkpoints,
    pollMs: options.pollMs,
    workDir: run.workDir,
    freshStreams: manifest?.resources.freshStreams ?? freshStreams(options, created.streams),
    startedAt: manifest?.startedAtMs ?? run.startedAt,
    log: run.io.log,
    onShardError: (error) => run.failFast(error),
    ...(manifest === undefined ? {} : { workerId: manifest.workerId }),
  });
  // By event time, a sweep moves a shard's clock on at the wall clock's pace since its
  // latest arrival: after a crash that would count the downtime, expire what the resumed
  // replay still sends partners of, and make those partners late. A resumed run sweeps
  // once its replay is over (the records move the clock meanwhile).
  let replayed = false;
  const maySweep = (): boolean =>
    run.resume === undefined || options.joinTime !== 'event' || replayed;
  await phases.run('start mappings', () =>
    startMappings(run.mappings, shared, options, wired.handlers, maySweep),
  );

  // The replay's client of its own, with the SDK attempts a producer with nothing behind
  // it needs: a PutRecords call the SDK gives up on dead-letters up to 500 records, which
  // no re-drive brings back (the handlers have the event source mapping's).
  const replayKinesis = replayKinesisClient(pipeline.config);
  countSdkRetries(replayKinesis, run.retries);
  try {
    await replayAndLandSampled(
      run,
      options,
      input,
      { ...clients, kinesis: replayKinesis },
      () => (replayed = true),
    );
  } finally {
    replayKinesis.destroy();
  }
  run.throwIfInterrupted();
  // The mappings have stopped (replayAndLandSampled's end): the join's window, most of
  // the records when the replay outran the join, is not needed by the verification.
  wired.handlers.releaseJoinState();
  return phases.run('verify', () =>
    verifyRun(clients.dynamodb, options.table, input, run.samples, run.io.log),
  );
}

// The run created its streams (the enrich one's, and the sink's in the seed topology): its
// mappings read them from the trim horizon.
function freshStreams(options: ResolvedRunOptions, created: readonly string[]): boolean {
  return (
    created.includes(options.sourceStream) &&
    (options.topology === 'fused' || created.includes(options.enrichedStream))
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
  onReplayed: () => void,
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
      onReplayed,
      ...(run.resume?.progress.replayedThroughOrderId == null
        ? {}
        : { startId: run.resume.progress.replayedThroughOrderId }),
      // State follows output: the position is written once Kinesis has acknowledged every
      // record up to it, with the dead letters counted so far.
      onAcknowledged: (orderId) =>
        void run.manifest?.update((m) => ({
          ...m,
          progress: {
            replayedThroughOrderId: orderId,
            deadLettered: samples.at(-1)?.counts.deadLettered ?? m.progress.deadLettered,
            updatedAt: new Date().toISOString(),
          },
        })),
      retryCounters: run.retries,
    });
  } finally {
    await stopTraffic(ticker, run.mappings, io.progress, run.fatal !== undefined);
  }
}
