import { mkdtemp, rm } from 'node:fs/promises';
import { RetryCounters } from '@kse/core';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LatencyRecorder, type PipelineSample } from '../report/index.js';
import type { VerifyResult } from '../verify/index.js';
import type { WiredHandlers } from './handlers.js';
import { LivenessWatch, type WatchedEndpoint, type WatchedService } from './liveness.js';
import { RunningMappings } from './mappings.js';
import { PeakRss } from './memory.js';
import type { RunPipelineOptions } from './options.js';
import { createPhaseTimer, type PhaseTimer } from './phaseTimer.js';
import { removeCreated, type CreatedResources, type PlannedResource } from './resources.js';
import { RunError } from './runError.js';
import { buildRunReport } from './runReport.js';
import type { RunManifest, RunManifestFile } from './runManifest.js';
import { RunStack } from './stack.js';
import type { RunCounters, RunIo, RunPipelineResult } from './types.js';

/**
 * What one run holds while it goes: its clock and phases, the counters and samples its
 * report is made of, and what it started or created (the stack, the handlers' clients,
 * the mappings, its resources, its work directory), so that {@link RunState.stop} can
 * stop and remove it wherever the run failed.
 */
export class RunState {
  readonly now: () => number;
  readonly phases: PhaseTimer;
  readonly latency = new LatencyRecorder();
  readonly samples: PipelineSample[] = [];
  readonly counters: RunCounters = {
    generated: 0,
    replayed: 0,
    replayRetries: 0,
    replayDeadLettered: 0,
    earlierDeadLettered: 0,
  };
  readonly memory = new PeakRss();
  /** Retries by kind: the SDK's whole-call retries and the loops' re-sent entries. */
  readonly retries = new RetryCounters();
  readonly stack = new RunStack();
  readonly mappings = new RunningMappings();
  /** The handlers and their clients, once wired. */
  wired: WiredHandlers | undefined;
  verdict: VerifyResult | null = null;
  /** Why the run stopped short of a verdict, if it did. */
  failure: Error | null = null;
  /** True when rows were still missing at the deadline (or when nothing moved any more). */
  timedOut = false;
  /** The input bucket, once the target is known. */
  bucket: string | undefined;
  /** What the run will create or change, once planned. */
  plan: readonly PlannedResource[] = [];
  /** What the run created, once the resources phase ran (removed at the end unless keep). */
  created: CreatedResources | undefined;
  /** Rows the table must end with, once the input is generated. */
  expectedRows: number | undefined;
  /**
   * Why the run has to stop at once, if it does: an endpoint went down, a shard's worker
   * failed past its budget. Aborts {@link RunState.signal}; the run fails with it.
   */
  fatal: Error | undefined;
  /** The manifest file of a resumable run (`kse-run.json` in the work directory). */
  manifest: RunManifestFile | undefined;
  private readonly fatalController = new AbortController();
  private liveness: LivenessWatch | undefined;
  private left: string[] = [];
  private workDirKept = true;
  private stackPeakRss = 0;

  private constructor(
    readonly options: RunPipelineOptions,
    readonly io: RunIo,
    readonly startedAt: number,
    readonly workDir: string,
    /** True when the work directory is a temporary one this run made. */
    private readonly tempWorkDir: boolean,
    /** The manifest of the run this one continues (`--resume`). */
    readonly resume: RunManifest | undefined,
  ) {
    this.now = io.now ?? Date.now;
    this.phases = createPhaseTimer(io.log, this.now);
    this.counters.earlierDeadLettered = resume?.progress.deadLettered ?? 0;
  }

  /** Starts the clock and makes the work directory (a fresh temporary one by default). */
  static async start(
    options: RunPipelineOptions,
    io: RunIo,
    resume?: RunManifest,
  ): Promise<RunState> {
    const startedAt = (io.now ?? Date.now)();
    const temp = options.workDir === undefined;
    const workDir = resolve(options.workDir ?? (await mkdtemp(join(tmpdir(), 'kse-run-'))));
    if (temp) io.tempDirs?.push(workDir);
    return new RunState(options, io, startedAt, workDir, temp, resume);
  }

  /** True once SIGINT/SIGTERM asked the run to stop. */
  get interrupted(): boolean {
    return this.io.signal?.aborted === true;
  }

  /** Aborts on SIGINT/SIGTERM (`io.signal`) and on a {@link RunState.fatal} failure. */
  get signal(): AbortSignal {
    const own = this.fatalController.signal;
    return this.io.signal === undefined ? own : AbortSignal.any([this.io.signal, own]);
  }

  /**
   * Throws the {@link RunState.fatal} failure, or `KSE_INTERRUPTED` when the run was asked
   * to stop (checked between phases).
   */
  throwIfInterrupted(): void {
    if (this.fatal !== undefined) throw this.fatal;
    if (this.interrupted) throw new RunError('KSE_INTERRUPTED', 'interrupted');
  }

  /** Stops the run at once because of `error` (the first one wins); it fails with it. */
  failFast(error: Error): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.fatalController.abort(error);
  }

  /**
   * Watches the stack's endpoints (and the embedded stack's processes) until the run
   * stops: one that dies or stalls past `stallBudgetMs` stops the run (`KSE_ENDPOINT_DOWN`).
   * Nothing to watch on AWS's own endpoints.
   */
  watchStack(): void {
    const aws = this.stack.aws;
    if (aws === undefined || this.liveness !== undefined) return;
    const processes = this.stack.processes;
    const endpoints: WatchedEndpoint[] = [];
    for (const [service, url] of Object.entries(aws.config.endpoints)) {
      if (url === undefined) continue;
      const pid = processes.find((p) => (p.services as readonly string[]).includes(service))?.pid;
      endpoints.push({
        service: service as WatchedService,
        url,
        ...(pid === undefined ? {} : { pid }),
      });
    }
    if (endpoints.length === 0) return;
    this.liveness = new LivenessWatch({
      endpoints,
      stallBudgetMs: this.options.stallBudgetMs,
      onDown: (error) => this.failFast(error),
      now: this.now,
    });
    this.stack.onProcessExit((exit) => this.liveness?.processExited(exit));
    this.liveness.start();
    this.io.onStack?.({ endpoints: { ...aws.config.endpoints }, processes });
  }

  /** Records why the run stopped. */
  fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
  }

  /**
   * Stops what the run started, however far it got: the mappings, the handlers' clients;
   * then, unless `keep`, removes what it created on a stack it did not start, stops the
   * stack (whose processes' peak RSS is read first) and removes its temporary work
   * directory.
   */
  async stop(): Promise<void> {
    this.liveness?.stop();
    await this.mappings.stopSettled(this.fatal !== undefined);
    this.wired?.destroy();
    this.stackPeakRss = await this.stack.childrenPeakRss();
    await this.finishManifest();
    if (this.options.keep) {
      if (this.created !== undefined && !this.stack.ownsProcesses) this.left = this.createdNames();
      return;
    }
    try {
      if (this.created !== undefined && this.stack.aws !== undefined && !this.stack.ownsProcesses) {
        this.left = await removeCreated(this.stack.aws.clients, this.created);
      }
    } finally {
      await this.stack.close();
      await this.removeWorkDir();
    }
  }

  /** The run's result and report, once it has stopped. */
  result(): RunPipelineResult {
    const report = buildRunReport({
      startedAt: this.startedAt,
      finishedAt: this.now(),
      options: { ...this.options, ...(this.bucket === undefined ? {} : { bucket: this.bucket }) },
      verdict: this.verdict,
      samples: this.samples,
      durations: this.phases.durations,
      latency: this.latency,
      peakRssBytes: this.memory.total(this.stackPeakRss),
      deadLettersByCode: this.wired?.handlers.deadLettersByCode() ?? {},
      faults: this.stack.faultReport(),
    });
    const { stack, options } = this;
    const holding = options.keep && stack.ownsProcesses && stack.aws !== undefined;
    return {
      verdict: this.verdict,
      report,
      error: this.fatal ?? this.failure,
      interrupted: this.interrupted,
      owner: stack.owner,
      access: stack.access(),
      bucket: this.bucket,
      table: options.table,
      plan: this.plan,
      left: this.left,
      landed: this.samples.at(-1)?.counts.written ?? 0,
      expectedRows: this.expectedRows,
      workDir: this.workDir,
      workDirKept: this.workDirKept,
      timedOut: this.timedOut,
      holding,
      close: async () => {
        if (!options.keep) return;
        await stack.close();
        if (holding) await this.removeWorkDir();
      },
    };
  }

  // A run that ends by itself is finished once it has a verdict, or once its cleanup removes
  // its resources (without keep): nothing is left to resume. A run kept up (keep, no
  // verdict) stays resumable. A crash writes nothing: the manifest says `running`.
  private async finishManifest(): Promise<void> {
    const file = this.manifest;
    if (file === undefined) return;
    const because =
      this.verdict !== null
        ? `verdict ${this.verdict.exact ? 'EXACT' : 'NOT EXACT'}`
        : this.options.keep
          ? undefined
          : `stopped (${(this.fatal ?? this.failure)?.message.split('\n')[0] ?? 'interrupted'}); its resources were removed`;
    try {
      if (because !== undefined) {
        await file.update((m) => ({ ...m, state: 'finished', finishedBecause: because }));
      }
      await file.flush();
    } catch (error) {
      this.io.log(`could not write ${file.workDir}/kse-run.json: ${(error as Error).message}`);
    }
  }

  // Names of what the run created, for the `keep` summary.
  private createdNames(): string[] {
    const c = this.created!;
    return [
      ...c.streams.map((s) => `stream ${s}`),
      ...c.tables.map((t) => `table ${t}`),
      ...(c.bucket === undefined
        ? c.objects.map((o) => `s3://${o.bucket}/${o.key}`)
        : [`bucket ${c.bucket}`]),
    ];
  }

  private async removeWorkDir(): Promise<void> {
    if (!this.tempWorkDir || !this.workDirKept) return;
    await rm(this.workDir, { recursive: true, force: true });
    this.workDirKept = false;
  }
}
