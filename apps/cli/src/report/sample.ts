/** The stages of a run, in pipeline order, as progress and the report name them. */
export const STAGES = ['generated', 'replayed', 'joined', 'written', 'deadLettered'] as const;

/** One stage of {@link STAGES}. */
export type Stage = (typeof STAGES)[number];

/**
 * One periodic sample of the pipeline's counters. The pipeline takes the samples; the
 * progress display and the report read them. The shape lives here, with its readers, so
 * that the pipeline imports the report room and never the other way round.
 */
export interface PipelineSample {
  /** ms since the run started. */
  t: number;
  /** Cumulative count per stage. */
  counts: Record<Stage, number>;
  /** Largest iterator age (ms) over the shards of each stream, `null` before polling. */
  iteratorAgeMs: { source: number | null; enriched: number | null };
  /** Cumulative retries (throttled or partially failed calls re-sent). */
  retries: number;
  /**
   * Cumulative retries by kind: `sdk.<error>` (whole calls the SDK retried),
   * `kinesis.<ErrorCode>` (PutRecords entries re-sent), `dynamodb.UnprocessedItems`,
   * `mapping.batch` (batches an event source mapping invoked again). Absent: not sampled.
   */
  retriesByKind?: Record<string, number>;
  /** Cumulative faults injected by kind (`kse run --faults`); absent without faults. */
  faultsInjected?: Record<string, number>;
  /** Iterator age (ms) of each shard of each stream, by shard id; `null` before polling. */
  iteratorAgeByShardMs?: {
    source: Record<string, number | null>;
    enriched: Record<string, number | null>;
  };
  /** Latency (ms) of the rows acknowledged since the previous sample. */
  latencyMs?: IntervalLatency;
}

/** Percentiles of the latencies recorded in one sampling interval. */
export interface IntervalLatency {
  /** Rows acknowledged in the interval. */
  count: number;
  p50: number | null;
  p99: number | null;
}
