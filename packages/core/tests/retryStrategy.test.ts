import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  SDK_MAX_ATTEMPTS,
  SDK_RETRY_DELAYS,
  SDK_THROTTLE_RETRY_DELAYS,
  sdkClientConfig,
  sdkRetryStrategy,
} from '../src/index.js';

const THROTTLE: RetryErrorInfo = { errorType: 'THROTTLING' };
// How the SDK classifies a 5xx, a reset or a timeout.
const TRANSIENT: RetryErrorInfo = { errorType: 'TRANSIENT' };
const CLIENT: RetryErrorInfo = { errorType: 'CLIENT_ERROR' };

/** How long (virtual ms) the strategy waits before it hands out the next token. */
async function waitBeforeRetry(
  strategy: ReturnType<typeof sdkRetryStrategy>,
  token: StandardRetryToken,
  error: RetryErrorInfo,
): Promise<{ waitedMs: number; token: StandardRetryToken }> {
  const start = Date.now();
  let next: StandardRetryToken | undefined;
  const pending = strategy.refreshRetryTokenForRetry(token, error).then((t) => (next = t));
  await vi.advanceTimersByTimeAsync(0);
  while (next === undefined) {
    await vi.advanceTimersByTimeAsync(1);
    if (Date.now() - start > 60_000) throw new Error('no token within a minute');
  }
  await pending;
  return { waitedMs: Date.now() - start, token: next };
}

describe('sdkRetryStrategy', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('states its waits: 50 ms doubling for most errors, 100 ms doubling for throttles, 5 s cap', () => {
    expect({ SDK_RETRY_DELAYS, SDK_THROTTLE_RETRY_DELAYS }).toEqual({
      SDK_RETRY_DELAYS: { baseDelayMs: 50, maxDelayMs: 5_000 },
      SDK_THROTTLE_RETRY_DELAYS: { baseDelayMs: 100, maxDelayMs: 5_000 },
    });
    expect(Object.isFrozen(SDK_RETRY_DELAYS)).toBe(true);
    expect(Object.isFrozen(SDK_THROTTLE_RETRY_DELAYS)).toBe(true);
  });

  it('waits with full jitter under kse’s ceilings, not the SDK’s 1 s throttling base', async () => {
    // random() just below 1: each wait is its ceiling minus one.
    const strategy = sdkRetryStrategy(5, () => 0.9999);
    let token = await strategy.acquireInitialRetryToken('kinesis');
    const waits: number[] = [];
    for (const error of [THROTTLE, THROTTLE, TRANSIENT, THROTTLE]) {
      const step = await waitBeforeRetry(strategy, token, error);
      waits.push(step.waitedMs);
      token = step.token;
    }
    // Retries 1..4: throttle ceiling 100, 200; a transient error's 50·2² = 200; throttle 100·2³ = 800.
    expect(waits).toEqual([99, 199, 199, 799]);
  });

  it('waits nothing when the jitter draws 0', async () => {
    const strategy = sdkRetryStrategy(3, () => 0);
    const token = await strategy.acquireInitialRetryToken('dynamodb');
    expect((await waitBeforeRetry(strategy, token, THROTTLE)).waitedMs).toBe(0);
  });

  it('stops after maxAttempts tries, and never retries a client error', async () => {
    const strategy = sdkRetryStrategy(3, () => 0);
    let token = await strategy.acquireInitialRetryToken('kinesis');
    token = (await waitBeforeRetry(strategy, token, THROTTLE)).token;
    token = (await waitBeforeRetry(strategy, token, TRANSIENT)).token;
    await expect(strategy.refreshRetryTokenForRetry(token, THROTTLE)).rejects.toThrow();
    const fresh = await strategy.acquireInitialRetryToken('kinesis');
    await expect(strategy.refreshRetryTokenForRetry(fresh, CLIENT)).rejects.toThrow();
  });

  it('is what sdkClientConfig gives, with the attempts it is given', async () => {
    const defaults = sdkClientConfig();
    const eight = sdkClientConfig({ maxAttempts: 8 });
    expect(defaults.maxAttempts).toBe(SDK_MAX_ATTEMPTS);
    expect(await defaults.retryStrategy.maxAttempts()).toBe(SDK_MAX_ATTEMPTS);
    expect(eight.maxAttempts).toBe(8);
    expect(await eight.retryStrategy.maxAttempts()).toBe(8);
    expect(defaults.retryStrategy).not.toBe(eight.retryStrategy);
    defaults.requestHandler.destroy();
    eight.requestHandler.destroy();
  });
});
