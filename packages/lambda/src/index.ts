export { LAMBDA_ERROR_CODES, LambdaError, isLambdaError } from './errors.js';
export type { LambdaErrorCode, LambdaErrorOptions } from './errors.js';

export { KPL_MAGIC, aggregate, deaggregate, isKplAggregated } from './kpl.js';
export type { KplUserRecord } from './kpl.js';

export {
  decodeBase64,
  decodeKinesisEvent,
  decodeKinesisText,
  originOf,
  shardIdOf,
} from './kinesisEvent.js';
export type {
  DecodeKinesisEventOptions,
  DecodedKinesisEvent,
  KinesisDecodeFailure,
  KinesisUserRecord,
} from './kinesisEvent.js';

export { processKinesisEvent, toBatchResponse } from './batchResponse.js';
export type {
  BatchProcessResult,
  KinesisBatchProcessor,
  ProcessKinesisEventOptions,
} from './batchResponse.js';

export { createLambdaContext, toKinesisStreamEvent } from './lambdaEvent.js';
export type { EventSourceInfo, LambdaContextOptions, PolledRecord } from './lambdaEvent.js';

export { startEventSourceMapping } from './eventSourceMapping.js';
export type { EventSourceMapping, EventSourceMappingStats } from './eventSourceMapping.js';
export { DEFAULT_EVENT_SOURCE_MAPPING_OPTIONS } from './eventSourceMappingOptions.js';
export type {
  BatchInvocationInfo,
  EventSourceMappingOptions,
  KinesisLambdaHandler,
  MappingLogger,
  StartingPosition,
} from './eventSourceMappingOptions.js';
export { CheckpointStore, SHARD_END } from './checkpointStore.js';
export type { CheckpointStoreOptions, ShardLease } from './checkpointStore.js';
export { createDestinationSender } from './onFailureDestination.js';
export type {
  DestinationSender,
  DiscardCondition,
  DiscardedRecord,
  OnFailureDestination,
} from './onFailureDestination.js';
export { laneOf } from './shardWorker.js';
export type { MappingCounters, ShardStats } from './shardWorker.js';

export { createSinkHandler } from './handlers/sinkHandler.js';
export type { KinesisBatchHandler, SinkHandlerOptions } from './handlers/sinkHandler.js';
export { createEnrichHandler } from './handlers/enrichHandler.js';
export type { EnrichHandlerOptions, EnrichTopology } from './handlers/enrichHandler.js';
export { createPreprocessHandler } from './handlers/preprocessHandler.js';
export type { PreprocessHandlerOptions } from './handlers/preprocessHandler.js';
export type { HandlerBaseOptions } from './handlers/common.js';
export type { ObservabilityOptions } from './handlers/observability.js';
export { putRecordsAll } from './handlers/putRecordsAll.js';
export type { PutRecordsAllOptions } from './handlers/putRecordsAll.js';
