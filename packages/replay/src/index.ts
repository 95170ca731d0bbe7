export { REPLAY_ERROR_CODES, ReplayError, isReplayError } from './errors.js';
export type { ReplayErrorCode, ReplayErrorOptions } from './errors.js';

export {
  DEFAULT_PUT_RECORDS_OPTIONS,
  isRetryableEntryCode,
  putRecordsBatch,
} from './putRecordsBatch.js';
export type {
  PutRecordsBatchOptions,
  PutRecordsBatchResult,
  PutRecordsEntry,
  PutRecordsFailure,
} from './putRecordsBatch.js';
// The backoff delay, the sleep and describeError are @kse/core's (one copy in kse), still
// exported under the names this package has always had: `realSleep` is core's `sleep`.
export { describeError, fullJitterDelay, sleep as realSleep } from '@kse/core';
export type { Sleep } from '@kse/core';

export {
  fileSource,
  globToRegExp,
  isObviouslyNotData,
  listS3Sources,
  maybeGunzip,
  parseS3Uri,
  resolveSources,
  s3ObjectSource,
} from './sources.js';
export type { ReplaySource, ResolveSourcesOptions } from './sources.js';

export { Pacer } from './Pacer.js';
export type { PacerOptions } from './Pacer.js';

export {
  DEFAULT_PRODUCER_OPTIONS,
  DEFAULT_RETRY_OPTIONS,
  KinesisProducer,
} from './KinesisProducer.js';
export type { ProducerOptions, ProducerStats, RetryOptions } from './KinesisProducer.js';

export { DeadLetterFile, formatDeadLetter } from './DeadLetterFile.js';
export type { DeadLetter, DeadLetterSink, ReplayRecord } from './types.js';

export { AcknowledgedPrefix } from './AcknowledgedPrefix.js';
export type { ReplayPosition } from './AcknowledgedPrefix.js';
export { DEFAULT_REPLAY_OPTIONS, REPLAY_SDK_MAX_ATTEMPTS, replay } from './replay.js';
export type { ReplayOptions, ReplayStats, ReplaySummary } from './replay.js';
