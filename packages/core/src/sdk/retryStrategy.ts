import { StandardRetryStrategy } from '@smithy/core/retry';
import { fullJitterDelay, type BackoffDelays } from '../retry/fullJitterDelay.js';
import { SDK_MAX_ATTEMPTS } from './clientDefaults.js';

/**
 * The SDK's waits before retrying a whole call that failed for any reason but throttling
 * (a 5xx, a reset, a timeout): full jitter from 50 ms, doubling, capped at 5 s — the
 * SDK's own base for these, with a lower cap than its 20 s.
 *
 * @example
 * ```ts
 * SDK_RETRY_DELAYS.baseDelayMs; // 50
 * ```
 */
export const SDK_RETRY_DELAYS: Readonly<BackoffDelays> = Object.freeze({
  baseDelayMs: 50,
  maxDelayMs: 5_000,
});

/**
 * The SDK's waits before retrying a throttled call (`ThrottlingException`,
 * `ProvisionedThroughputExceededException`, …): full jitter from 100 ms, doubling, capped
 * at 5 s. The SDK's own standard mode starts throttling retries at 1 s, which puts up to a
 * second on every record of a batch that one throttled call holds up; kse's calls are
 * per shard and per batch, so a shorter first wait keeps a stream's latency, while the
 * doubling and the SDK's retry quota (which a throttled retry drains five times faster than
 * a success refills it) still back off from a throttle that persists.
 *
 * @example
 * ```ts
 * SDK_THROTTLE_RETRY_DELAYS.baseDelayMs; // 100
 * ```
 */
export const SDK_THROTTLE_RETRY_DELAYS: Readonly<BackoffDelays> = Object.freeze({
  baseDelayMs: 100,
  maxDelayMs: 5_000,
});

/**
 * The SDK's `standard` retry strategy (which errors are retried, the retry quota, a
 * server's retry-after hint, `maxAttempts`) with kse's waits: {@link fullJitterDelay} with
 * {@link SDK_THROTTLE_RETRY_DELAYS} after a throttle and {@link SDK_RETRY_DELAYS} after
 * anything else. `maxAttempts` counts the first try. `random` is for tests.
 *
 * Give it as the client's `retryStrategy` (which the SDK then uses instead of building one
 * from `maxAttempts` and `retryMode`): {@link sdkClientConfig} does.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient({ retryStrategy: sdkRetryStrategy(8) });
 * ```
 */
export function sdkRetryStrategy(
  maxAttempts: number = SDK_MAX_ATTEMPTS,
  random: () => number = Math.random,
): StandardRetryStrategy {
  let delays: Readonly<BackoffDelays> = SDK_RETRY_DELAYS;
  return new StandardRetryStrategy({
    maxAttempts,
    baseDelay: SDK_RETRY_DELAYS.baseDelayMs,
    backoff: {
      // The strategy sets its base before each wait: the `baseDelay` above for most
      // errors, its own throttling base for throttles. Only which of the two is told.
      setDelayBase(base: number) {
        delays =
          base === SDK_RETRY_DELAYS.baseDelayMs ? SDK_RETRY_DELAYS : SDK_THROTTLE_RETRY_DELAYS;
      },
      // `retries` is how many retries came before this one (0 before the first).
      computeNextBackoffDelay: (retries: number) => fullJitterDelay(retries + 1, delays, random),
    },
  });
}
