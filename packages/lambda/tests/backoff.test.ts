import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../src/backoff.js';

describe('fullJitterDelay', () => {
  it('stays below the capped exponential ceiling', () => {
    const options = { baseMs: 100, capMs: 1_000 };
    expect(fullJitterDelay(1, options, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(200);
    expect(fullJitterDelay(10, options, () => 0.999)).toBe(999);
    expect(fullJitterDelay(10, options, () => 0)).toBe(0);
  });
});
