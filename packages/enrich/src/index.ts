export { ENRICH_ERROR_CODES, EnrichError, isEnrichError } from './errors.js';
export type { DeadLetter, DeadLetterCode, EnrichErrorCode, EnrichErrorOptions } from './errors.js';

export type { JoinInputRecord, RawInput, TimedRecord } from './types.js';

export { DEFAULT_PREPROCESS_OPTIONS, createPreprocessor, preprocess } from './preprocess.js';
export type {
  PreprocessCounts,
  PreprocessOptions,
  PreprocessResult,
  Preprocessor,
} from './preprocess.js';

export {
  DEFAULT_REFERENCE_TABLE_OPTIONS,
  ReferenceTable,
  loadReferenceTable,
} from './referenceTable.js';
export type {
  ProductLookup,
  ReferenceSource,
  ReferenceTableOptions,
  ReferenceTableStats,
} from './referenceTable.js';

export { buildEnrichedRow } from './enrichedRow.js';
export type { EnrichedRowMeta } from './enrichedRow.js';

export { DEFAULT_INTERVAL_JOIN_OPTIONS, IntervalJoin } from './IntervalJoin.js';
export type { IntervalJoinOptions, JoinTime } from './IntervalJoin.js';
export type {
  JoinBatch,
  JoinResult,
  JoinStats,
  ProcessOptions,
  SweepOptions,
} from './joinBatch.js';
export type { JoinParent } from './joinInheritance.js';

export type {
  JoinKeyState,
  JoinScopeMeta,
  JoinStateCommit,
  JoinStateCommitResult,
  JoinStateSnapshot,
  JoinStateStore,
  StoredEntry,
} from './joinState.js';
export { minimumJoinStateTtlMs } from './joinStateTtl.js';
export type { JoinStateTtlSizing } from './joinStateTtl.js';
export { DEFAULT_IN_MEMORY_JOIN_STORE_OPTIONS, InMemoryJoinStore } from './InMemoryJoinStore.js';
export type { InMemoryJoinStoreOptions } from './InMemoryJoinStore.js';
export {
  DEFAULT_DYNAMODB_JOIN_STORE_OPTIONS,
  DynamoDbJoinStore,
  JOIN_STATE_TABLE,
  ensureJoinStateTable,
} from './DynamoDbJoinStore.js';
export type { DynamoDbJoinStoreOptions } from './DynamoDbJoinStore.js';

export { BatchWriter, DEFAULT_BATCH_WRITER_OPTIONS } from './BatchWriter.js';
export type { BatchWriteResult, BatchWriterOptions } from './BatchWriter.js';

export { DEFAULT_RUN_ENRICHMENT_OPTIONS, runEnrichment } from './runEnrichment.js';
export type { EnrichmentCounts, EnrichmentOutput, RunEnrichmentOptions } from './runEnrichment.js';
