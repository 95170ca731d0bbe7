import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LatencyRecorder, type PipelineSample } from '../report/index.js';
import type { VerifyResult } from '../verify/index.js';
import type { WiredHandlers } from './handlers.js';
import { RunningMappings } from './mappings.js';
import { PeakRss } from './memory.js';
import type { RunPipelineOptions } from './options.js';
import { createPhaseTimer, type PhaseTimer } from './phaseTimer.js';
import { buildRunReport } from './runReport.js';
import { RunStack } from './stack.js';
import type { RunCounters, RunIo, RunPipelineResult } from './types.js';

/**
 * What one run holds while it goes: its clock and phases, the counters and samples its
 * report is made of, and what it started (the stack, the handlers' clients, the mappings),
 * so that {@link RunState.stop} can stop it wherever the run failed.
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
  };
  readonly memory = new PeakRss();
  readonly stack = new RunStack();
  readonly mappings = new RunningMappings();
  /** The handlers and their clients, once wired. */
  wired: WiredHandlers | undefined;
  verdict: VerifyResult | null = null;
  /** Why the run stopped short of a verdict, if it did. */
  failure: Error | null = null;
  /** True when rows were still missing at the deadline (or when nothing moved any more). */
  timedOut = false;
  private stackPeakRss = 0;

  private constructor(
    readonly options: RunPipelineOptions,
    readonly io: RunIo,
    readonly startedAt: number,
    readonly workDir: string,
  ) {
    this.now = io.now ?? Date.now;
    this.phases = createPhaseTimer(io.log, this.now);
  }

  /** Starts the clock and makes the work directory (a fresh temporary one by default). */
  static async start(options: RunPipelineOptions, io: RunIo): Promise<RunState> {
    const startedAt = (io.now ?? Date.now)();
    const workDir = resolve(options.workDir ?? (await mkdtemp(join(tmpdir(), 'kse-run-'))));
    return new RunState(options, io, startedAt, workDir);
  }

  /** Records why the run stopped. */
  fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
  }

  /**
   * Stops what the run started, however far it got: the mappings, the handlers' clients,
   * and (unless `keep`) the stack, whose processes' peak RSS is read before they stop.
   */
  async stop(): Promise<void> {
    await this.mappings.stopSettled();
    this.wired?.destroy();
    this.stackPeakRss = await this.stack.childrenPeakRss();
    if (!this.options.keep) await this.stack.close();
  }

  /** The run's result and report, once it has stopped. */
  result(): RunPipelineResult {
    const report = buildRunReport({
      startedAt: this.startedAt,
      finishedAt: this.now(),
      options: this.options,
      verdict: this.verdict,
      samples: this.samples,
      durations: this.phases.durations,
      latency: this.latency,
      peakRssBytes: this.memory.total(this.stackPeakRss),
    });
    const { stack, options } = this;
    return {
      verdict: this.verdict,
      report,
      error: this.failure,
      envLines: stack.envLines,
      workDir: this.workDir,
      timedOut: this.timedOut,
      close: async () => {
        if (options.keep) await stack.close();
      },
    };
  }
}
