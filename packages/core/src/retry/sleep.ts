/**
 * Waits `ms` milliseconds. Rejects with the signal's `reason` when `signal` aborts before
 * or during the wait, like `setTimeout` of `node:timers/promises` (which rejects with an
 * `AbortError` instead): a caller that is stopped learns it at once, and cannot mistake
 * an abort for a finished wait.
 *
 * @example
 * ```ts
 * const wait: Sleep = async () => undefined; // a test's sleep that never waits
 * ```
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * The real {@link Sleep}, on `setTimeout`: resolves after `ms` ms; rejects with
 * `signal.reason` when the signal is already aborted or aborts during the wait (the timer
 * is cleared, so nothing is left behind).
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(new Error('stop')), 10);
 * await sleep(60_000, controller.signal).catch((reason) => console.log(reason.message)); // 'stop'
 * ```
 */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
