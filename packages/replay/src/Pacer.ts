import type { Sleep } from '@kse/core';

/** Options of {@link Pacer}. */
export interface PacerOptions {
  /** Event time ÷ speedup = wall time. `0` or `Infinity` = no pacing (as fast as possible). */
  speedup: number;
  /** Wall clock in ms. */
  now: () => number;
  /** Waits; injectable so tests run on a virtual clock. */
  sleep: Sleep;
  /** Called before a wait of `ms` ≥ `idleFlushMs`, e.g. to flush a partial batch. */
  onIdle?: (ms: number) => void | Promise<void>;
  /** Smallest wait that triggers `onIdle`. Default 20 ms. */
  idleFlushMs?: number;
  signal?: AbortSignal;
}

/**
 * Paces events by their timestamps: the first event goes out at once and sets the origin;
 * an event `t` ms of event time later goes out `t / speedup` ms of wall time later.
 * Events already due (or out of order, earlier than the origin) go out at once, so a slow
 * sink makes the replay fall behind (reported as lag) instead of bursting later.
 *
 * @example
 * ```ts
 * const pacer = new Pacer({ speedup: 10, now: () => performance.now(), sleep });
 * for (const e of events) { await pacer.wait(Date.parse(e.orderDateTime)); send(e); }
 * ```
 */
export class Pacer {
  readonly #options: PacerOptions;
  #eventOrigin: number | undefined;
  #wallOrigin = 0;
  #lagMs = 0;

  constructor(options: PacerOptions) {
    this.#options = options;
  }

  /** True when pacing is off (`speedup` 0 or infinite). */
  get unpaced(): boolean {
    return this.#options.speedup === 0 || !Number.isFinite(this.#options.speedup);
  }

  /** How far behind schedule the last event was sent, in ms (0 when on time or unpaced). */
  get lagMs(): number {
    return this.#lagMs;
  }

  /** Resolves when the event with timestamp `eventTime` (ms) is due. */
  async wait(eventTime: number): Promise<void> {
    if (this.unpaced) return;
    const now = this.#options.now();
    if (this.#eventOrigin === undefined) {
      this.#eventOrigin = eventTime;
      this.#wallOrigin = now;
      this.#lagMs = 0;
      return;
    }
    const due =
      this.#wallOrigin + Math.max(0, eventTime - this.#eventOrigin) / this.#options.speedup;
    const ahead = due - now;
    if (ahead <= 0) {
      this.#lagMs = -ahead;
      return;
    }
    this.#lagMs = 0;
    if (this.#options.onIdle !== undefined && ahead >= (this.#options.idleFlushMs ?? 20)) {
      await this.#options.onIdle(ahead);
    }
    const left = due - this.#options.now();
    if (left > 0) await this.#options.sleep(left, this.#options.signal);
  }
}
