import type { ProgressWriter, RunReport } from '../report/index.js';
import type { VerifyResult } from '../verify/index.js';

/** What `runPipeline` returns. */
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

/** Where `runPipeline` reports as it goes. */
export interface RunIo {
  progress: ProgressWriter;
  /** Human-readable notes (phase changes), to stderr. */
  log(message: string): void;
  /** Monotonic clock and wall clock, injectable. */
  now?: () => number;
}

/**
 * The counters of the run's first stages, moved by the generator's and the replay's
 * progress callbacks and read by the sampler (the later stages are counted by taps).
 */
export interface RunCounters {
  /** Lines generated (orders, then orders and items once the files are written). */
  generated: number;
  /** Records the source stream accepted. */
  replayed: number;
  /** PutRecords entries the replay re-sent. */
  replayRetries: number;
  /** Records the replay gave up on. */
  replayDeadLettered: number;
}
