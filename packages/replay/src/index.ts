export { REPLAY_ERROR_CODES, ReplayError, isReplayError } from './errors.js';
export type { ReplayErrorCode, ReplayErrorOptions } from './errors.js';

export {
  DEFAULT_RETRY_OPTIONS,
  describeError,
  fullJitterDelay,
  isRetryableEntryCode,
  isRetryableRequestError,
  realSleep,
} from './retry.js';
export type { RetryOptions, Sleep } from './retry.js';

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

export { DEFAULT_PRODUCER_OPTIONS, KinesisProducer } from './KinesisProducer.js';
export type { ProducerOptions, ProducerStats } from './KinesisProducer.js';

export { DeadLetterFile, formatDeadLetter } from './DeadLetterFile.js';
export type { DeadLetter, DeadLetterSink, ReplayRecord } from './types.js';

export { DEFAULT_REPLAY_OPTIONS, replay } from './replay.js';
export type { ReplayOptions, ReplayStats, ReplaySummary } from './replay.js';
