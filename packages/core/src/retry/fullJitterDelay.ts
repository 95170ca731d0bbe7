/**
 * The two numbers of a capped exponential backoff.
 *
 * @example
 * ```ts
 * const delays: BackoffDelays = { baseDelayMs: 100, maxDelayMs: 5_000 };
 * ```
 */
export interface BackoffDelays {
  /** The cap of the first retry's delay, doubled for each further retry. */
  baseDelayMs: number;
  /** The largest delay of any retry. */
  maxDelayMs: number;
}

/**
 * Full-jitter capped exponential backoff, as `@smithy/util-retry` draws it: a uniform
 * integer in `[0, min(maxDelayMs, baseDelayMs · 2^(retry-1)))`, where `retry` counts the
 * retries from 1 (the wait before the second try is retry 1). A `retry` below 1 counts as
 * 1. The delay is 0 when that ceiling is 0.
 *
 * Full jitter (rather than a fixed or "equal jitter" delay) spreads the retries of many
 * callers that failed together, so they do not come back in step.
 *
 * @example
 * ```ts
 * fullJitterDelay(1, { baseDelayMs: 100, maxDelayMs: 5_000 }, () => 0.5); // 50
 * fullJitterDelay(3, { baseDelayMs: 100, maxDelayMs: 5_000 }, () => 0.5); // 200
 * ```
 */
export function fullJitterDelay(
  retry: number,
  delays: BackoffDelays,
  random: () => number = Math.random,
): number {
  const { baseDelayMs, maxDelayMs } = delays;
  // 2^(retry-1) overflows to Infinity after ~1,024 retries, and 0 · Infinity is NaN.
  const growth = baseDelayMs === 0 ? 0 : baseDelayMs * 2 ** Math.max(0, retry - 1);
  const ceiling = Math.min(maxDelayMs, growth);
  return Math.floor(random() * ceiling);
}
