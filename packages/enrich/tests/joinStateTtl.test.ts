import { describe, expect, it } from 'vitest';
import { minimumJoinStateTtlMs } from '../src/index.js';

describe('minimumJoinStateTtlMs', () => {
  it('is window + lateness + sweep interval + sweep budget, plus the second TTL rounds to', () => {
    expect(
      minimumJoinStateTtlMs({
        windowMs: 60_000,
        allowedLatenessMs: 10_000,
        sweepIntervalMs: 60_000,
        sweepBudgetMs: 120_000,
      }),
    ).toBe(251_000);
  });

  it('rejects a negative or infinite part, naming it', () => {
    expect(() =>
      minimumJoinStateTtlMs({
        windowMs: 60_000,
        allowedLatenessMs: -1,
        sweepIntervalMs: 60_000,
        sweepBudgetMs: 1,
      }),
    ).toThrow(/allowedLatenessMs/);
  });
});
