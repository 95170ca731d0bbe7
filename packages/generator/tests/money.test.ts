import { describe, expect, it } from 'vitest';
import { centsToAmount, formatCents } from '../src/index.js';

describe('centsToAmount', () => {
  it('prints every amount from 0.00 to 10,000.00 as its decimal, without float drift', () => {
    let mismatches = 0;
    for (let cents = 0; cents <= 1_000_000; cents += 1) {
      const whole = Math.floor(cents / 100);
      const frac = cents % 100;
      const expected =
        frac === 0
          ? `${whole}`
          : frac % 10 === 0
            ? `${whole}.${frac / 10}`
            : `${whole}.${frac < 10 ? '0' : ''}${frac}`;
      if (JSON.stringify(centsToAmount(cents)) !== expected) mismatches += 1;
    }
    expect(mismatches).toBe(0);
  }, 30_000);

  it('prints large order totals (up to 10^9 dollars) without drift, sampled', () => {
    for (let cents = 2_000_000; cents < 100_000_000_000; cents += 9_999_991) {
      expect(JSON.stringify(centsToAmount(cents))).toBe(formatCents(cents).replace(/\.?0+$/, ''));
    }
  });

  it('keeps the sum of item amounts exact when summed in cents', () => {
    expect(JSON.stringify(centsToAmount(10 + 20))).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3); // what summing the printed values would do
  });
});

describe('formatCents', () => {
  it('writes exactly two decimals', () => {
    expect([0, 5, 130, 12990, 12999, -250].map(formatCents)).toEqual([
      '0.00',
      '0.05',
      '1.30',
      '129.90',
      '129.99',
      '-2.50',
    ]);
  });
});
