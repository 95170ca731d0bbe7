import { CoreError, describeError } from '../errors.js';
import { Backoff, type BackoffOptions } from './Backoff.js';

/**
 * Options of {@link retry}: a {@link BackoffOptions} budget plus which errors are worth
 * another try.
 *
 * @example
 * ```ts
 * const options: RetryOptions = { maxAttempts: 5, isRetryable: (e) => (e as Error).name === 'ThrottlingException' };
 * ```
 */
export interface RetryOptions extends BackoffOptions {
  /** True when a try's error is worth another try. Default: every error is. */
  isRetryable?: (error: unknown) => boolean;
}

/**
 * What {@link retry} passes to each try.
 *
 * @example
 * ```ts
 * await retry(({ attempt, signal }) => fetchPage(attempt, { signal }));
 * ```
 */
export interface RetryContext {
  /** This try's number, from 1. */
  attempt: number;
  /** The caller's signal, to pass on to the call (e.g. the SDK's `abortSignal`). */
  signal: AbortSignal | undefined;
}

/**
 * Calls `operation` until it resolves, with full-jitter capped exponential backoff between
 * tries, within the attempt and time budget, stopping on the signal. It is the one retry
 * owner of the call: give the call's client few attempts of its own. It ends in one
 * {@link CoreError} that lists every attempt and has the last error as `cause`:
 * `KSE_CORE_RETRIES_EXHAUSTED` when the budget is spent, `KSE_CORE_NOT_RETRYABLE` when
 * `isRetryable` says no, `KSE_CORE_RETRY_ABORTED` when the signal aborts (before a try or
 * during a wait; a try in flight is the operation's to abort).
 *
 * @example
 * ```ts
 * const table = await retry(
 *   ({ signal }) => dynamodb.send(new DescribeTableCommand({ TableName }), { abortSignal: signal }),
 *   { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2_000, isRetryable: isThrottling, signal },
 * );
 * ```
 */
export async function retry<T>(
  operation: (context: RetryContext) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const backoff = new Backoff(options);
  const signal = options.signal;
  const isRetryable = options.isRetryable ?? (() => true);
  for (;;) {
    if (signal?.aborted) throw aborted(backoff, signal.reason);
    try {
      return await operation({ attempt: backoff.failures + 1, signal });
    } catch (error) {
      backoff.fail(error);
      // A try that failed because the signal aborted it is an abort, whatever its error.
      if (signal?.aborted) throw aborted(backoff, signal.reason);
      if (!isRetryable(error)) {
        throw new CoreError(
          'KSE_CORE_NOT_RETRYABLE',
          `try ${backoff.failures} failed with an error that is not retried: ${describeError(error)}`,
          { cause: error, attempts: backoff.attempts },
        );
      }
      if (backoff.exhausted) throw backoff.exhaustedError(error);
      try {
        await backoff.wait();
      } catch (reason) {
        throw aborted(backoff, reason);
      }
    }
  }
}

function aborted(backoff: Backoff, reason: unknown): CoreError {
  return new CoreError(
    'KSE_CORE_RETRY_ABORTED',
    `aborted after ${backoff.failures} tries: ${describeError(reason)}`,
    { cause: reason, attempts: backoff.attempts },
  );
}
