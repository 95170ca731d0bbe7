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

/** Waits `ms` milliseconds; rejects with the signal's reason when it aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The real {@link Sleep}, on `setTimeout`. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Full-jitter capped exponential backoff (as `@smithy/util-retry`): a uniform draw in
 * `[0, min(maxDelayMs, baseDelayMs * 2^(retry-1)))`, where `retry` counts from 1.
 */
export function fullJitterDelay(
  retry: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

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

/** A short description of an error, for dead letters and attempt lists. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
