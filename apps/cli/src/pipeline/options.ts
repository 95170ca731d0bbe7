/** The two shapes of the pipeline. */
export const TOPOLOGIES = ['seed', 'fused'] as const;
/** `seed`: enrich → OrdersEnrichedStream → sink → table (the sample's); `fused`: enrich → table. */
export type Topology = (typeof TOPOLOGIES)[number];

/** Where the join keeps its state. */
export const JOIN_STATES = ['memory', 'dynamodb'] as const;
/** `memory`: one store per shard in this process; `dynamodb`: the Lambda deployment's table. */
export type JoinState = (typeof JOIN_STATES)[number];

/** Where the embedded local stack runs, when no endpoint or AWS settings are given. */
export const LOCAL_STACKS = ['process', 'inline'] as const;
/**
 * `process`: the emulators in two child Node processes (Kinesis; DynamoDB + S3), so that
 * they use other cores than the pipeline, with their data on disk so that their memory
 * stays flat; `inline`: in this process, in memory, sharing its thread.
 */
export type LocalStackMode = (typeof LOCAL_STACKS)[number];

/** Options of `runPipeline`; see `kse run --help`. */
export interface RunPipelineOptions {
  orders: number;
  products: number;
  seed: string;
  shards: number;
  enrichedShards: number;
  /** Records per second put into the source stream, or `max`. */
  rate: number | 'max';
  topology: Topology;
  /** Where the join keeps its state (default `memory`: kse run is one long-running process). */
  joinState: JoinState;
  pollMs: number;
  /** Where the embedded stack runs (when one is started); default `process`. */
  localStack: LocalStackMode;
  deadlineMs: number;
  keep: boolean;
  force: boolean;
  reportDir?: string;
  /** Where the generated files go; default a fresh temporary directory. */
  workDir?: string;
  endpoint?: string;
  region?: string;
  sourceStream: string;
  enrichedStream: string;
  /** Receives the handlers' dead letters (unmatched items, bad records). */
  deadLetterStream: string;
  table: string;
  bucket: string;
  /** Stop waiting when no counter has moved for this long after the replay, ms. */
  idleMs: number;
  /** How often progress is sampled, ms. */
  sampleMs: number;
}

/** Defaults of {@link RunPipelineOptions}: the sample's experiment, sized for `npm start`. */
export const DEFAULT_RUN_OPTIONS = {
  orders: 10_000,
  products: 1000,
  shards: 2,
  enrichedShards: 2,
  rate: 'max',
  topology: 'seed',
  joinState: 'memory',
  pollMs: 200,
  localStack: 'process',
  deadlineMs: 10 * 60_000,
  keep: false,
  force: false,
  sourceStream: 'OrdersStream',
  enrichedStream: 'OrdersEnrichedStream',
  deadLetterStream: 'OrdersDeadLetterStream',
  table: 'OrdersEnriched',
  bucket: 'kse-orders',
  sampleMs: 500,
  idleMs: 90_000,
} satisfies Partial<RunPipelineOptions>;
