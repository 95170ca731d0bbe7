import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCoreError, retry, type RetryContext } from '../src/index.js';
import { virtualClock } from './virtualClock.js';

const named = (name: string): Error => Object.assign(new Error(name), { name });

describe('retry', () => {
  it('returns the first success, passing each try its number and the signal', async () => {
    const clock = virtualClock();
    const signal = new AbortController().signal;
    const seen: RetryContext[] = [];
    const result = await retry(
      async (context) => {
        seen.push(context);
        if (context.attempt < 3) throw named('ThrottlingException');
        return 'ok';
      },
      { maxAttempts: 5, random: () => 0.5, sleep: clock.sleep, now: clock.now, signal },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([
      { attempt: 1, signal },
      { attempt: 2, signal },
      { attempt: 3, signal },
    ]);
    expect(clock.slept).toEqual([50, 100]);
  });

  it('throws KSE_CORE_RETRIES_EXHAUSTED listing every attempt when the tries run out', async () => {
    const clock = virtualClock();
    let calls = 0;
    const last = named('ServiceUnavailable');
    const error = await retry(
      async () => {
        calls += 1;
        throw calls === 3 ? last : named('ThrottlingException');
      },
      { maxAttempts: 3, sleep: clock.sleep, now: clock.now },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(
      isCoreError(error) && {
        code: error.code,
        retryable: error.retryable,
        attempts: error.attempts,
        cause: error.cause,
      },
    ).toEqual({
      code: 'KSE_CORE_RETRIES_EXHAUSTED',
      retryable: true,
      attempts: [
        'attempt 1: ThrottlingException: ThrottlingException',
        'attempt 2: ThrottlingException: ThrottlingException',
        'attempt 3: ServiceUnavailable: ServiceUnavailable',
      ],
      cause: last,
    });
  });

  it('stops at once on an error that is not retryable, with KSE_CORE_NOT_RETRYABLE', async () => {
    const clock = virtualClock();
    let calls = 0;
    const denied = named('AccessDeniedException');
    const error = await retry(
      async () => {
        calls += 1;
        throw calls === 1 ? named('ThrottlingException') : denied;
      },
      {
        maxAttempts: 10,
        isRetryable: (e) => (e as Error).name === 'ThrottlingException',
        sleep: clock.sleep,
        now: clock.now,
      },
    ).catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect(
      isCoreError(error) && {
        code: error.code,
        retryable: error.retryable,
        cause: error.cause,
        tries: error.attempts.length,
      },
    ).toEqual({ code: 'KSE_CORE_NOT_RETRYABLE', retryable: false, cause: denied, tries: 2 });
  });

  it('stops when the signal aborts during a wait, with KSE_CORE_RETRY_ABORTED', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    let calls = 0;
    const error = await retry(
      async () => {
        calls += 1;
        throw named('ThrottlingException');
      },
      {
        maxAttempts: 10,
        sleep: async (_ms, signal) => {
          controller.abort(reason);
          if (signal?.aborted) throw signal.reason;
        },
        signal: controller.signal,
      },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(
      isCoreError(error) && {
        code: error.code,
        retryable: error.retryable,
        cause: error.cause,
        attempts: error.attempts,
      },
    ).toEqual({
      code: 'KSE_CORE_RETRY_ABORTED',
      retryable: false,
      cause: reason,
      attempts: ['attempt 1: ThrottlingException: ThrottlingException'],
    });
  });

  it('makes no try when the signal is already aborted', async () => {
    let calls = 0;
    const error = await retry(
      async () => {
        calls += 1;
      },
      { signal: AbortSignal.abort(new Error('too late')) },
    ).catch((e: unknown) => e);
    expect(calls).toBe(0);
    expect(isCoreError(error) && error.code).toBe('KSE_CORE_RETRY_ABORTED');
  });

  it('reports a try that failed because the signal aborted it as an abort', async () => {
    const controller = new AbortController();
    const error = await retry(
      async ({ signal }) => {
        controller.abort(new Error('stop'));
        throw signal?.reason;
      },
      { maxAttempts: 5, isRetryable: () => false, signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(isCoreError(error) && error.code).toBe('KSE_CORE_RETRY_ABORTED');
  });

  it('succeeds exactly when the failures before the first success fit in the attempt budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 15 }),
        async (maxAttempts, failuresFirst) => {
          const clock = virtualClock();
          let calls = 0;
          const outcome = await retry(
            async () => {
              calls += 1;
              if (calls <= failuresFirst) throw named('ThrottlingException');
              return 'ok';
            },
            { maxAttempts, sleep: clock.sleep, now: clock.now, random: () => 0.5 },
          ).catch((e: unknown) => (isCoreError(e) ? e.code : e));
          expect(calls).toBe(Math.min(failuresFirst + 1, maxAttempts));
          expect(calls).toBeLessThanOrEqual(maxAttempts);
          expect(outcome).toBe(failuresFirst < maxAttempts ? 'ok' : 'KSE_CORE_RETRIES_EXHAUSTED');
        },
      ),
      { seed: 20260117, numRuns: 200 },
    );
  });
});
