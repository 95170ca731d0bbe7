import type { FaultSpec } from '@kse/local-stack';
import type { AwsConfig } from '@kse/local-stack';

/** The two shapes of the pipeline. */
export const TOPOLOGIES = ['seed', 'fused'] as const;
/** `seed`: enrich → OrdersEnrichedStream → sink → table (the sample's); `fused`: enrich → table. */
export type Topology = (typeof TOPOLOGIES)[number];

/** Where the join keeps its state. */
export const JOIN_STATES = ['memory', 'dynamodb'] as const;
/** `memory`: one store per shard in this process; `dynamodb`: the Lambda deployment's table. */
export type JoinState = (typeof JOIN_STATES)[number];

/** Which time the join's window is measured in. */
export const JOIN_TIMES = ['arrival', 'event'] as const;
/**
 * `arrival`: the records' arrival in the source stream (the sample's `ROWTIME`); `event`:
 * their `orderDateTime`, with an allowed lateness.
 */
export type JoinTime = (typeof JOIN_TIMES)[number];

/** Where the embedded local stack runs (the local target). */
export const LOCAL_STACKS = ['process', 'inline'] as const;
/**
 * `process`: the emulators in two child Node processes (Kinesis; DynamoDB + S3), so that
 * they use other cores than the pipeline, with their data on disk so that their memory
 * stays flat; `inline`: in this process, in memory, sharing its thread.
 */
export type LocalStackMode = (typeof LOCAL_STACKS)[number];

/**
 * Where a run's AWS calls go, as the command resolved it (no call made yet).
 * - `embedded`: a stack this run starts (the local target, whatever `AWS_*` says).
 * - `kse-stack`: a stack `kse local up` started: its resources may be reset.
 * - `aws`: an account, or an endpoint kse did not start: nothing is changed before the
 *   run's {@link RunIo.confirm} says yes, nothing it did not create is deleted.
 */
export type RunTarget =
  | { kind: 'embedded'; region?: string }
  | { kind: 'kse-stack'; config: AwsConfig }
  | {
      kind: 'aws';
      config: AwsConfig;
      /** Where to ask STS for the account (`--endpoint-url`, AWS_ENDPOINT_URL_STS…), if not AWS's. */
      stsEndpoint?: string;
    };

/** Options of `runPipeline`; see `kse run --help`. */
export interface RunPipelineOptions {
  orders: number;
  products: number;
  seed: string;
  shards: number;
  enrichedShards: number;
  /** Records per second put into the source stream, or `max`. */
  rate: number | 'max';
  /**
   * KPL-aggregate the replay's records (the sample replayer's `-aggregate`): an order and
   * its items go as one Kinesis record under their orderId; the handlers unpack them.
   */
  aggregate: boolean;
  topology: Topology;
  /** Where the join keeps its state (default `memory`: kse run is one long-running process). */
  joinState: JoinState;
  /** The join's time (default `arrival`, as the sample's SQL). */
  joinTime: JoinTime;
  /**
   * How late a record may come behind the shard's latest time and still join, seconds;
   * default `@kse/lambda`'s: 0 for arrival time, 10 for event time.
   */
  joinLatenessSeconds?: number;
  pollMs: number;
  /** Where the embedded stack runs (when one is started); default `process`. */
  localStack: LocalStackMode;
  deadlineMs: number;
  /** Leave what the run made (stack, streams, tables, bucket, files) in place at the end. */
  keep: boolean;
  /** Empty tables that hold rows (on a target kse did not start); without it they are refused. */
  reset: boolean;
  /** Where the run's AWS calls go; default the embedded stack. */
  target: RunTarget;
  reportDir?: string;
  /** Where the generated files go; default a fresh temporary directory, removed at the end. */
  workDir?: string;
  sourceStream: string;
  enrichedStream: string;
  /** Receives the handlers' dead letters (unmatched items, bad records). */
  deadLetterStream: string;
  table: string;
  /**
   * S3 bucket of the input files; default {@link DEFAULT_LOCAL_BUCKET} on a local stack,
   * `kse-<account>-<region>` in an AWS account (bucket names are global).
   */
  bucket?: string;
  /** Stop waiting when no counter has moved for this long after the replay, ms. */
  idleMs: number;
  /** How often progress is sampled, ms. */
  sampleMs: number;
  /**
   * How long an endpoint of the stack may go without answering before the run stops with
   * `KSE_ENDPOINT_DOWN` (exit 3), ms; a shorter stall is ridden out. A process of the
   * embedded stack that dies is reported at once.
   */
  stallBudgetMs: number;
  /**
   * Faults to inject (`kse run --faults`): the pipeline's Kinesis and DynamoDB calls go
   * through `@kse/local-stack`'s fault proxy; setup, upload and verification do not.
   */
  faults?: FaultSpec;
}

/**
 * True when a run writes a manifest (`kse-run.json` in its work directory) that
 * `--resume` can continue after a crash: it has a work directory of the caller's, and a
 * stack that outlives it (`kse local up`, an endpoint, an account; an embedded stack dies
 * with the run).
 */
export function isResumable(options: Pick<RunPipelineOptions, 'workDir' | 'target'>): boolean {
  return options.workDir !== undefined && options.target.kind !== 'embedded';
}

/** Defaults of {@link RunPipelineOptions}: the sample's experiment, sized for `npm start`. */
export const DEFAULT_RUN_OPTIONS = {
  orders: 10_000,
  products: 1000,
  shards: 2,
  enrichedShards: 2,
  rate: 'max',
  aggregate: false,
  topology: 'seed',
  joinState: 'memory',
  joinTime: 'arrival',
  pollMs: 200,
  localStack: 'process',
  deadlineMs: 10 * 60_000,
  keep: false,
  reset: false,
  target: { kind: 'embedded' },
  sourceStream: 'OrdersStream',
  enrichedStream: 'OrdersEnrichedStream',
  deadLetterStream: 'OrdersDeadLetterStream',
  table: 'OrdersEnriched',
  sampleMs: 500,
  idleMs: 90_000,
  stallBudgetMs: 15_000,
} satisfies Partial<RunPipelineOptions>;

/** The input bucket on a local stack (embedded, `kse local up`, or an endpoint). */
export const DEFAULT_LOCAL_BUCKET = 'kse-orders';

/**
 * The default input bucket in an AWS account: bucket names are global, so it carries the
 * account and the region (`kse-123456789012-eu-west-1`), never a name someone else owns.
 */
export function awsBucketName(account: string, region: string): string {
  return `kse-${account}-${region}`;
}

/** Options once the run knows its bucket (after `setup`). */
export type ResolvedRunOptions = RunPipelineOptions & { bucket: string };
