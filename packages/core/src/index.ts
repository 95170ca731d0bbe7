export { CORE_ERROR_CODES, CoreError, describeError, isCoreError } from './errors.js';
export type { CoreErrorCode, CoreErrorOptions } from './errors.js';

export { fullJitterDelay } from './retry/fullJitterDelay.js';
export type { BackoffDelays } from './retry/fullJitterDelay.js';
export { sleep } from './retry/sleep.js';
export type { Sleep } from './retry/sleep.js';
export { Backoff, DEFAULT_BACKOFF_OPTIONS } from './retry/Backoff.js';
export type { BackoffOptions } from './retry/Backoff.js';
export { retry } from './retry/retry.js';
export type { RetryContext, RetryOptions } from './retry/retry.js';
export { RetryCounters } from './retry/RetryCounters.js';

export {
  SDK_AGENT_OPTIONS,
  SDK_CLIENT_DEFAULTS,
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
  SDK_RETRY_MODE,
  SDK_SOCKET_IDLE_TIMEOUT_MS,
} from './sdk/clientDefaults.js';
export { createHttpHandler, isPlainHttp, sdkClientConfig } from './sdk/httpHandler.js';
export {
  SDK_RETRY_DELAYS,
  SDK_THROTTLE_RETRY_DELAYS,
  sdkRetryStrategy,
} from './sdk/retryStrategy.js';
export { countSdkRetries } from './sdk/countSdkRetries.js';
