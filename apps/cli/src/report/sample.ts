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
}
