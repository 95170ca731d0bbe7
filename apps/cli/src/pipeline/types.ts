import type { ProgressWriter, RunReport } from '../report/index.js';
import type { VerifyResult } from '../verify/index.js';
import type { AwsIdentity } from './account.js';
import type { PlannedResource } from './resources.js';
import type { StackAccess, StackOwner } from './stack.js';

/** What `runPipeline` returns. */
export interface RunPipelineResult {
  verdict: VerifyResult | null;
  report: RunReport;
  /** Why the run stopped short of verification, if it did. */
  error: Error | null;
  /** True when SIGINT/SIGTERM (`RunIo.signal`) stopped the run. */
  interrupted: boolean;
  /** Who owns the stack the run used. */
  owner: StackOwner;
  /** How to reach the stack with the AWS CLI (for `keep`), once it was opened. */
  access: StackAccess | undefined;
  /** The bucket of the input files, once known. */
  bucket: string | undefined;
  /** The table the rows landed in. */
  table: string;
  /** What the run created or changed (its plan), once made. */
  plan: readonly PlannedResource[];
  /**
   * What the run left behind: with `keep`, what it created; otherwise what it could not
   * remove (with why). Empty when nothing is left.
   */
  left: string[];
  /** Rows landed (distinct keys acknowledged), at the last sample. */
  landed: number;
  /** Rows the table must end with, once the input was generated. */
  expectedRows: number | undefined;
  /** Where the generated files are (removed at the end when temporary, unless `keep`). */
  workDir: string;
  /** False once the work directory has been removed. */
  workDirKept: boolean;
  timedOut: boolean;
  /** True when the embedded stack is still up (`keep`) and {@link close} stops it. */
  holding: boolean;
  /** Stops what `keep` left up (the embedded stack, the clients, its files); a no-op otherwise. */
  close(): Promise<void>;
}

/** What a run shows before it changes anything in a foreign target (an account, an endpoint). */
export interface RunConfirmation {
  identity: AwsIdentity;
  region: string;
  /** The endpoints the calls go to (empty: AWS's own). */
  endpoints: Record<string, string | undefined>;
  plan: readonly PlannedResource[];
}

/** Where `runPipeline` reports as it goes. */
export interface RunIo {
  progress: ProgressWriter;
  /** Human-readable notes (phase changes), to stderr. */
  log(message: string): void;
  /** Monotonic clock and wall clock, injectable. */
  now?: () => number;
  /**
   * Asked, on a foreign target only, after reading what exists and before changing
   * anything: resolves true to go on. Without it a foreign target is refused.
   */
  confirm?(confirmation: RunConfirmation): Promise<boolean>;
  /** Stops the run cleanly (SIGINT, SIGTERM): traffic stops, what it started stops. */
  signal?: AbortSignal;
  /** The run adds the temporary directories it makes (for a last-resort removal). */
  tempDirs?: string[];
  /**
   * Told the stack's endpoints and, for an embedded stack in child processes, their
   * processes, once the stack is open (for tools and tests that watch or fault it).
   */
  onStack?(stack: {
    endpoints: Record<string, string | undefined>;
    processes: readonly { pid: number; services: readonly string[] }[];
  }): void;
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
  /** Dead letters counted by the earlier starts of a resumed run (its manifest's). */
  earlierDeadLettered: number;
}
