// Shared by both rooms: the one error type of the package.
export { LAMBDA_ERROR_CODES, LambdaError, isLambdaError } from './errors.js';
export type { LambdaErrorCode, LambdaErrorOptions } from './errors.js';

// ── Lambda adapters (adapters/): what runs inside AWS Lambda ────────────────────────────
// Kinesis event decoding, KPL de-aggregation, partial batch responses, Lambda-shaped
// events and contexts, and the preprocess / enrich / sink handler factories.

// The KPL record format is wire format shared with producers: it lives in @kse/schemas,
// and is re-exported here under the names this package has always exported.
export { KPL_MAGIC, aggregate, deaggregate, isKplAggregated } from '@kse/schemas';
export type { KplUserRecord } from '@kse/schemas';

export {
  decodeBase64,
  decodeKinesisEvent,
  decodeKinesisText,
  originOf,
  shardIdOf,
} from './adapters/kinesisEvent.js';
export type {
  DecodeKinesisEventOptions,
  DecodedKinesisEvent,
  KinesisDecodeFailure,
  KinesisUserRecord,
} from './adapters/kinesisEvent.js';

export { processKinesisEvent, toBatchResponse } from './adapters/batchResponse.js';
export type {
  BatchProcessResult,
  KinesisBatchProcessor,
  ProcessKinesisEventOptions,
} from './adapters/batchResponse.js';

export { createLambdaContext, toKinesisStreamEvent } from './adapters/lambdaEvent.js';
export type {
  EventSourceInfo,
  IdleShard,
  LambdaContextOptions,
  PolledRecord,
} from './adapters/lambdaEvent.js';

export { createSinkHandler } from './adapters/handlers/sinkHandler.js';
export type { KinesisBatchHandler, SinkHandlerOptions } from './adapters/handlers/sinkHandler.js';
export { createEnrichHandler } from './adapters/handlers/enrichHandler.js';
export type {
  EnrichHandler,
  EnrichHandlerOptions,
  EnrichSweepResult,
  EnrichTopology,
} from './adapters/handlers/enrichHandler.js';
export { createSweeperHandler } from './adapters/handlers/sweeperHandler.js';
export type {
  SweepSkipReason,
  SweeperHandler,
  SweeperHandlerOptions,
  SweeperReport,
} from './adapters/handlers/sweeperHandler.js';
export type { JoinConfigOptions } from './adapters/handlers/joinConfig.js';
export { createPreprocessHandler } from './adapters/handlers/preprocessHandler.js';
export type { PreprocessHandlerOptions } from './adapters/handlers/preprocessHandler.js';
export type { HandlerBaseOptions } from './adapters/handlers/common.js';
export type { ObservabilityOptions } from './adapters/handlers/observability.js';
export { putRecordsAll } from './adapters/handlers/putRecordsAll.js';
export type { PutRecordsAllOptions } from './adapters/handlers/putRecordsAll.js';

// ── Local event source mapping (esm/): Lambda's poller, run locally ─────────────────────
// Polls real Kinesis shards and invokes the handlers above with Lambda's semantics:
// batching, retries, bisection, on-failure destinations, checkpoints and leases.

export { startEventSourceMapping } from './esm/eventSourceMapping.js';
export type { EventSourceMapping, EventSourceMappingStats } from './esm/eventSourceMapping.js';
export { DEFAULT_EVENT_SOURCE_MAPPING_OPTIONS } from './esm/eventSourceMappingOptions.js';
export type {
  BatchInvocationInfo,
  EventSourceMappingOptions,
  KinesisLambdaHandler,
  MappingLogger,
  StartingPosition,
} from './esm/eventSourceMappingOptions.js';
export { CheckpointStore, SHARD_END } from './esm/checkpointStore.js';
export type { CheckpointStoreOptions, ShardLease } from './esm/checkpointStore.js';
export { createDestinationSender } from './esm/onFailureDestination.js';
export type {
  DestinationSender,
  DiscardCondition,
  DiscardedRecord,
  OnFailureDestination,
} from './esm/onFailureDestination.js';
export { laneOf } from './esm/shardWorker.js';
export type { MappingCounters, ShardStats } from './esm/shardWorker.js';
