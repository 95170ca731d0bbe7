import { describe, expect, it } from 'vitest';
import { Pacer } from '../src/index.js';

function virtualClock(): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  slept: number[];
} {
  let time = 1_000;
  const slept: number[] = [];
  return {
    now: () => time,
    sleep: async (ms) => {
      slept.push(ms);
      time += ms;
    },
    slept,
  };
}

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe('Pacer', () => {
  it('sends the first event at once and later ones after event time ÷ speedup', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ speedup: 2, ...clock });
    await pacer.wait(T0);
    await pacer.wait(T0 + 1_000);
    await pacer.wait(T0 + 3_000);
    expect(clock.slept).toEqual([500, 1_000]);
    expect(clock.now()).toBe(2_500);
  });

  it('does not wait for events already due and reports how late they are', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ speedup: 1, ...clock });
    await pacer.wait(T0);
    await clock.sleep(300); // the sink was slow
    clock.slept.length = 0;
    await pacer.wait(T0 + 100);
    expect(clock.slept).toEqual([]);
    expect(pacer.lagMs).toBe(200);
  });

  it('sends out-of-order (earlier) events at once', async () => {
    const clock = virtualClock();
    const pacer = new Pacer({ speedup: 1, ...clock });
    await pacer.wait(T0 + 5_000);
    await pacer.wait(T0);
    expect(clock.slept).toEqual([]);
  });

  it('never waits when speedup is 0 or Infinity', async () => {
    for (const speedup of [0, Number.POSITIVE_INFINITY]) {
      const clock = virtualClock();
      const pacer = new Pacer({ speedup, ...clock });
      await pacer.wait(T0);
      await pacer.wait(T0 + 60_000);
      expect(pacer.unpaced).toBe(true);
      expect(clock.slept).toEqual([]);
    }
  });

  it('calls onIdle before a wait long enough to flush a partial batch', async () => {
    const clock = virtualClock();
    const idle: number[] = [];
    const pacer = new Pacer({
      speedup: 1,
      ...clock,
      idleFlushMs: 20,
      onIdle: (ms) => void idle.push(ms),
    });
    await pacer.wait(T0);
    await pacer.wait(T0 + 10);
    await pacer.wait(T0 + 1_000);
    expect(idle).toEqual([990]);
  });
});
