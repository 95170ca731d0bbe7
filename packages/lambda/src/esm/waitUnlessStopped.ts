import type { Sleep } from '@kse/core';

/**
 * Waits `ms` with `sleep`, where a stop (`signal` aborted) ends the wait early and quietly:
 * the mapping's loops check the signal themselves. Any other failure of `sleep` is thrown.
 */
export function waitUnlessStopped(sleep: Sleep, ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch((error: unknown) => {
    if (!signal.aborted) throw error;
  });
}
