import { setTimeout as delay } from 'node:timers/promises';
import { LocalStackError } from '../errors.js';

/** How {@link pollUntil} waits. */
export interface PollOptions {
  /** Give up after this many ms (default 120 000: real AWS takes tens of seconds). */
  timeoutMs?: number;
  /** First pause between checks, doubled up to `maxIntervalMs` (default 20). */
  intervalMs?: number;
  /** Longest pause between checks (default 1 000). */
  maxIntervalMs?: number;
}

/** Defaults of {@link PollOptions}. */
export const DEFAULT_POLL_OPTIONS = {
  timeoutMs: 120_000,
  intervalMs: 20,
  maxIntervalMs: 1_000,
} satisfies Required<PollOptions>;

/**
 * Calls `check` until it returns a value other than `undefined`, pausing between calls
 * with a capped exponential interval, and throws `KSE_RESOURCE_TIMEOUT` at the deadline.
 */
export async function pollUntil<T>(
  what: string,
  resource: string,
  check: () => Promise<T | undefined>,
  options: PollOptions = {},
): Promise<T> {
  const { timeoutMs, intervalMs, maxIntervalMs } = { ...DEFAULT_POLL_OPTIONS, ...options };
  const deadline = Date.now() + timeoutMs;
  let pause = intervalMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + pause > deadline) {
      throw new LocalStackError('KSE_RESOURCE_TIMEOUT', `${what} after ${timeoutMs} ms`, {
        resource,
        retryable: true,
      });
    }
    await delay(pause);
    pause = Math.min(pause * 2, maxIntervalMs);
  }
}
