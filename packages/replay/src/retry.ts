/** How failed PutRecords requests and entries are retried. */
export interface RetryOptions {
  /** Tries per record, the first send included. Default 8. */
  maxAttempts: number;
  /** Backoff base: the cap of the first retry's delay. Default 100 ms. */
  baseDelayMs: number;
  /** Largest delay between two tries. Default 5,000 ms. */
  maxDelayMs: number;
}

/** Defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY_OPTIONS = {
  maxAttempts: 8,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
} satisfies RetryOptions;

/** PutRecords entry error codes worth re-sending (the rest are final). */
const RETRYABLE_ENTRY_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'InternalFailureException',
  'KMSThrottlingException',
  'ServiceUnavailable',
]);

/** True when a PutRecords entry `ErrorCode` is worth re-sending. */
export function isRetryableEntryCode(code: string): boolean {
  return RETRYABLE_ENTRY_CODES.has(code);
}

const RETRYABLE_REQUEST_NAMES = new Set([
  ...RETRYABLE_ENTRY_CODES,
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InternalServerError',
  'ServiceUnavailableException',
]);

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * Classifies an error thrown by a whole PutRecords request: throttling, 5xx and network
 * errors are retryable; validation, missing stream, access denied are not.
 */
export function isRetryableRequestError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    $fault?: unknown;
  };
  if (typeof e.name === 'string' && RETRYABLE_REQUEST_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  return false;
}
