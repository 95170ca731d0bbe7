import type { Sleep } from '../src/index.js';

/**
 * A virtual clock for backoff tests: `sleep` records the delay and moves the clock, at
 * once; `advance` stands for the time a try takes. Like the real sleep, it rejects with
 * the signal's reason when the signal is aborted.
 */
export function virtualClock(): {
  now: () => number;
  sleep: Sleep;
  advance: (ms: number) => void;
  slept: number[];
} {
  let time = 0;
  const slept: number[] = [];
  return {
    now: () => time,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      time += ms;
    },
    advance: (ms) => {
      time += ms;
    },
    slept,
  };
}

/** A random source that returns the given draws in turn, cycling. */
export function draws(values: readonly number[]): () => number {
  let next = 0;
  return () => {
    const value = values[next % values.length]!;
    next += 1;
    return value;
  };
}
