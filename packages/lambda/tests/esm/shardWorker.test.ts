import { describe, expect, it } from 'vitest';
import { laneOf } from '../../src/index.js';

describe('laneOf', () => {
  it('sends one partition key to one lane, and spreads keys over every lane', () => {
    const lanes = Array.from({ length: 1000 }, (_, i) => laneOf(`order-${i}`, 4));
    expect(new Set(lanes)).toEqual(new Set([0, 1, 2, 3]));
    expect(laneOf('order-7', 4)).toBe(laneOf('order-7', 4));
    expect(laneOf('anything', 1)).toBe(0);
  });
});
