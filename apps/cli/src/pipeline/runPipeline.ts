import type { AwsClients } from '@kse/local-stack';
import type { VerifyResult } from '../verify/index.js';
import { wireHandlers } from './handlers.js';
import { generateInput, uploadInput, type RunInput } from './input.js';
import { replayAndLand, stopTraffic } from './land.js';
import { sharedMappingSettings, startMappings } from './mappings.js';
import type { RunPipelineOptions } from './options.js';
import { prepareResources, runTables } from './resources.js';
import { RunState } from './runState.js';
import { createSampler, stageTotals, startTicker } from './sampler.js';
import type { RunIo, RunPipelineResult } from './types.js';
import { verifyRun } from './verifyRun.js';

/**
 * The sample's experiment end to end, one named phase after the other (see
 * {@link runPhases}). A phase that fails stops the run: what was started is stopped, and
 * the report tells how far it got.
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
    run.fail(error);
  } finally {
    await run.stop();
  }
  return run.result();
}

/**
 * The phases of a run, in order: setup (the AWS to use, the embedded stack by default),
 * resources (reset on a local stack), generate the input files, upload them to S3, wire
 * the handlers and start their event source mappings, replay the input while waiting for
 * every expected row to land, verify. Each is timed under its name for the report.
 */
async function runPhases(run: RunState): Promise<VerifyResult> {
  const { options, phases, stack } = run;
  const aws = await phases.run('setup', () => stack.open(options));
  const { clients } = aws;
  const tables = runTables(options.table);
  await phases.run('resources', () => prepareResources(clients, options, tables, stack.local));
  const input = await phases.run('generate', () =>
    generateInput(run.workDir, options, run.counters),
  );
  await phases.run('upload', () => uploadInput(clients.s3, options.bucket, input));

  const wired = (run.wired = wireHandlers(aws, options, tables, run.latency));
  const shared = sharedMappingSettings({
    clients,
    checkpointTable: tables.checkpoints,
    pollMs: options.pollMs,
    workDir: run.workDir,
    local: stack.local,
    startedAt: run.startedAt,
    log: run.io.log,
  });
  await phases.run('start mappings', () =>
    startMappings(run.mappings, shared, options, wired.handlers),
  );

  await replayAndLandSampled(run, input, clients);
  return phases.run('verify', () => verifyRun(clients.dynamodb, options.table, input, run.samples));
}

// The `replay` and `land` phases, with the counters sampled (for the progress display and
// the report) from the start of the replay until the mappings have stopped.
async function replayAndLandSampled(
  run: RunState,
  input: RunInput,
  clients: Pick<AwsClients, 'kinesis' | 's3'>,
): Promise<void> {
  const { options, io, counters, samples, now, startedAt } = run;
  const wired = run.wired!;
  const sample = createSampler({
    counters,
    mappings: run.mappings.all,
    wired,
    topology: options.topology,
    memory: run.memory,
    now,
    startedAt,
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
    });
  } finally {
    await stopTraffic(ticker, run.mappings, io.progress);
  }
}
