import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Backoff,
  DEFAULT_BACKOFF_OPTIONS,
  isCoreError,
  type BackoffOptions,
} from '../src/index.js';
import { draws, virtualClock } from './virtualClock.js';

describe('Backoff', () => {
  it('lists every failed try, oldest first, describing errors as Name: message', () => {
    const backoff = new Backoff();
    expect(backoff.fail('3 of 25 unprocessed')).toBe('attempt 1: 3 of 25 unprocessed');
    backoff.fail(new TypeError('socket hang up'));
    expect(backoff.failures).toBe(2);
    expect(backoff.attempts).toEqual([
      'attempt 1: 3 of 25 unprocessed',
      'attempt 2: TypeError: socket hang up',
    ]);
  });

  it('is exhausted once maxAttempts tries have failed', () => {
    const backoff = new Backoff({ maxAttempts: 2 });
    expect(backoff.exhausted).toBe(false);
    backoff.fail('one');
    expect(backoff.exhausted).toBe(false);
    backoff.fail('two');
    expect(backoff.exhausted).toBe(true);
  });

  it('waits a full-jitter delay that doubles per retry up to the cap', async () => {
    const clock = virtualClock();
    const backoff = new Backoff({
      maxAttempts: 8,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 0.5,
      sleep: clock.sleep,
      now: clock.now,
    });
    for (let retry = 1; retry <= 6; retry += 1) {
      backoff.fail(`try ${retry}`);
      await backoff.wait();
    }
    expect(clock.slept).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it('starts no try after budgetMs, cutting the last wait to fit', async () => {
    const clock = virtualClock();
    const backoff = new Backoff({
      maxAttempts: 100,
      budgetMs: 250,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 0.999,
      sleep: clock.sleep,
      now: clock.now,
    });
    const startedAt: number[] = [];
    for (;;) {
      startedAt.push(clock.now());
      backoff.fail('throttled');
      if (backoff.exhausted) break;
      await backoff.wait();
    }
    expect(clock.slept).toEqual([99, 151]);
    expect(startedAt).toEqual([0, 99, 250]);
    expect(backoff.failures).toBe(3);
  });

  it('rejects the wait with the signal’s reason, even when the injected sleep ignores signals', async () => {
    const controller = new AbortController();
    const slept: number[] = [];
    const backoff = new Backoff({
      sleep: async (ms) => {
        slept.push(ms);
      },
      signal: controller.signal,
    });
    backoff.fail('first');
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(backoff.wait()).rejects.toBe(reason);
    expect(slept).toEqual([]);
  });

  it('passes the signal to the sleep, so that an abort ends a wait in progress', async () => {
    const controller = new AbortController();
    // The real sleep: a 30 s timer that only the abort can end within the test's timeout.
    const aborting = new Backoff({
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: () => 0.5,
      signal: controller.signal,
    });
    aborting.fail('x');
    const waiting = aborting.wait();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('refuses to wait once the budget is spent, with KSE_CORE_RETRIES_EXHAUSTED', async () => {
    const backoff = new Backoff({ maxAttempts: 1, sleep: async () => undefined });
    backoff.fail('only try');
    const error = await backoff.wait().catch((e: unknown) => e);
    expect(isCoreError(error) && error.code).toBe('KSE_CORE_RETRIES_EXHAUSTED');
  });

  it('ends with one retryable error that lists every attempt and keeps the cause', () => {
    const clock = virtualClock();
    const backoff = new Backoff({ maxAttempts: 2, now: clock.now });
    backoff.fail('first');
    clock.advance(40);
    const last = new Error('throttled');
    backoff.fail(last);
    const error = backoff.exhaustedError(last);
    expect({
      code: error.code,
      retryable: error.retryable,
      attempts: error.attempts,
      cause: error.cause,
      message: error.message,
    }).toEqual({
      code: 'KSE_CORE_RETRIES_EXHAUSTED',
      retryable: true,
      attempts: ['attempt 1: first', 'attempt 2: Error: throttled'],
      cause: last,
      message:
        'KSE_CORE_RETRIES_EXHAUSTED: gave up after 2 tries in 40 ms; last attempt 2: Error: throttled',
    });
  });

  it('uses the AWS SDK standard mode numbers by default, with no time budget', () => {
    expect(DEFAULT_BACKOFF_OPTIONS).toEqual({
      maxAttempts: 3,
      budgetMs: Number.POSITIVE_INFINITY,
      baseDelayMs: 100,
      maxDelayMs: 20_000,
    });
    const backoff = new Backoff({ maxAttempts: undefined });
    backoff.fail('1');
    backoff.fail('2');
    expect(backoff.exhausted).toBe(false);
    backoff.fail('3');
    expect(backoff.exhausted).toBe(true);
  });

  it.each<[string, BackoffOptions]>([
    ['maxAttempts', { maxAttempts: 0 }],
    ['maxAttempts', { maxAttempts: 2.5 }],
    ['maxAttempts', { maxAttempts: Number.POSITIVE_INFINITY }],
    ['budgetMs', { budgetMs: -1 }],
    ['budgetMs', { budgetMs: Number.NaN }],
    ['baseDelayMs', { baseDelayMs: -5 }],
    ['maxDelayMs', { maxDelayMs: Number.POSITIVE_INFINITY }],
  ])('refuses an invalid %s with KSE_CORE_OPTIONS_INVALID naming it', (option, options) => {
    const error = (() => {
      try {
        return new Backoff(options);
      } catch (e) {
        return e;
      }
    })();
    expect(isCoreError(error) && { code: error.code, option: error.option }).toEqual({
      code: 'KSE_CORE_OPTIONS_INVALID',
      option,
    });
  });

  it('accepts unlimited attempts when a time budget bounds them', () => {
    expect(
      () => new Backoff({ maxAttempts: Number.POSITIVE_INFINITY, budgetMs: 1_000 }),
    ).not.toThrow();
  });
});

describe('Backoff under random schedules', () => {
  const budget = fc.oneof(
    fc.record({ maxAttempts: fc.integer({ min: 1, max: 12 }), budgetMs: fc.constant(Infinity) }),
    fc.record({
      maxAttempts: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(Infinity)),
      budgetMs: fc.integer({ min: 0, max: 20_000 }),
    }),
  );

  it('never exceeds the attempt or time budget, and every wait stays under the cap', async () => {
    await fc.assert(
      fc.asyncProperty(
        budget,
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 8_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.integer({ min: 1, max: 500 }),
        async ({ maxAttempts, budgetMs }, baseDelayMs, maxDelayMs, randoms, tryMs) => {
          const clock = virtualClock();
          const backoff = new Backoff({
            maxAttempts,
            budgetMs,
            baseDelayMs,
            maxDelayMs,
            random: draws(randoms),
            sleep: clock.sleep,
            now: clock.now,
          });
          const startedAt: number[] = [];
          for (;;) {
            startedAt.push(clock.now());
            clock.advance(tryMs); // every try takes time, and fails
            backoff.fail('failed');
            if (backoff.exhausted) break;
            await backoff.wait();
          }
          expect(startedAt.length).toBeLessThanOrEqual(maxAttempts);
          expect(startedAt.length).toBe(backoff.failures);
          // The first try always runs; no later one starts after the budget.
          for (const at of startedAt.slice(1)) expect(at).toBeLessThanOrEqual(budgetMs);
          for (const delay of clock.slept) {
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(maxDelayMs);
          }
          expect(clock.slept.length).toBe(startedAt.length - 1);
          expect(clock.slept.reduce((sum, delay) => sum + delay, 0)).toBeLessThanOrEqual(budgetMs);
        },
      ),
      { seed: 20260117, numRuns: 300 },
    );
  });
});
