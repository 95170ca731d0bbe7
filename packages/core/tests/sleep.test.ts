import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  it('resolves after the given time and not before', async () => {
    let done = false;
    const waiting = sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects at once with the reason of an already aborted signal', async () => {
    const reason = new Error('stop');
    await expect(sleep(1_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the reason when the signal aborts during the wait, and clears its timer', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('shutdown');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops listening to the signal once the wait is over', async () => {
    const controller = new AbortController();
    const waiting = sleep(5, controller.signal);
    await vi.advanceTimersByTimeAsync(5);
    await expect(waiting).resolves.toBeUndefined();
    controller.abort(new Error('late'));
    await expect(waiting).resolves.toBeUndefined();
  });
});
