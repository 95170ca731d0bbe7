import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../src/index.js';

const delays = { baseDelayMs: 100, maxDelayMs: 10_000 };

describe('fullJitterDelay', () => {
  it('draws below base · 2^(retry-1), counting retries from 1', () => {
    expect(fullJitterDelay(1, delays, () => 0.999)).toBe(99);
    expect(fullJitterDelay(2, delays, () => 0.999)).toBe(199);
    expect(fullJitterDelay(3, delays, () => 0.5)).toBe(200);
    expect(fullJitterDelay(3, delays, () => 0)).toBe(0);
  });

  it('counts a retry below 1 as the first retry', () => {
    expect(fullJitterDelay(0, delays, () => 0.5)).toBe(50);
    expect(fullJitterDelay(-3, delays, () => 0.5)).toBe(50);
  });

  it('never exceeds maxDelayMs however many retries', () => {
    expect(fullJitterDelay(40, delays, () => 0.999_999)).toBe(9_999);
    expect(fullJitterDelay(5_000, delays, () => 0.5)).toBe(5_000);
  });

  it('is 0 when the cap or the base is 0', () => {
    expect(fullJitterDelay(4, { baseDelayMs: 100, maxDelayMs: 0 }, () => 0.9)).toBe(0);
    expect(fullJitterDelay(4, { baseDelayMs: 0, maxDelayMs: 100 }, () => 0.9)).toBe(0);
  });

  it('stays a number past the retry where 2^(retry-1) overflows', () => {
    // Found by the property below: 0 · 2^1024 is 0 · Infinity, NaN.
    expect(fullJitterDelay(1_025, { baseDelayMs: 0, maxDelayMs: 0 }, () => 0)).toBe(0);
    expect(fullJitterDelay(1_025, { baseDelayMs: 0, maxDelayMs: 100 }, () => 0.5)).toBe(0);
    expect(fullJitterDelay(1_025, { baseDelayMs: 1, maxDelayMs: 100 }, () => 0.5)).toBe(50);
  });

  it('always draws a whole number of ms in [0, min(max, base · 2^(retry-1))), or 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseDelayMs, maxDelayMs, draw) => {
          const delay = fullJitterDelay(retry, { baseDelayMs, maxDelayMs }, () => draw);
          // 2^1000 is finite, and past it the cap rules anyway.
          const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry - 1, 1_000));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          if (ceiling === 0) expect(delay).toBe(0);
          else expect(delay).toBeLessThan(ceiling);
        },
      ),
      { seed: 20260117, numRuns: 500 },
    );
  });
});
