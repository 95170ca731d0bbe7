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

export { SDK_CLIENT_DEFAULTS, SDK_MAX_ATTEMPTS, SDK_RETRY_MODE } from './sdk/clientDefaults.js';
export { createPlainHttpHandler, isPlainHttp } from './sdk/plainHttpHandler.js';
