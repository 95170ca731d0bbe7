import { CoreError, describeError } from '../errors.js';
import { fullJitterDelay, type BackoffDelays } from './fullJitterDelay.js';
import { sleep as realSleep, type Sleep } from './sleep.js';

/**
 * Options of {@link Backoff} (and of {@link retry}): the budget, the delays, and the
 * injectable sleep, random source and clock that make tests deterministic and fast.
 *
 * @example
 * ```ts
 * const options: BackoffOptions = { maxAttempts: 8, budgetMs: 30_000, baseDelayMs: 50, maxDelayMs: 2_000 };
 * ```
 */
export interface BackoffOptions extends Partial<BackoffDelays> {
  /**
   * Tries in all, the first included: an integer ≥ 1, or `Infinity` when `budgetMs` is
   * finite. Default 3.
   */
  maxAttempts?: number;
  /**
   * Time budget in ms from the `Backoff`'s creation: no try starts later than this, and a
   * wait is cut short to fit. `Infinity` (the default) leaves only `maxAttempts`.
   */
  budgetMs?: number;
  /** Waits between tries; must reject with the signal's reason on abort. Default {@link sleep}. */
  sleep?: Sleep;
  /** Random source of the jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Monotonic clock in ms, for `budgetMs`. Default `performance.now`. */
  now?: () => number;
  /** Stops the waiting: {@link Backoff.wait} rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * Defaults of {@link BackoffOptions}: those of the AWS SDK's standard retry mode
 * (`@smithy/util-retry`: 3 tries, 100 ms base, 20 s cap), no time budget.
 *
 * @example
 * ```ts
 * new Backoff({ ...DEFAULT_BACKOFF_OPTIONS, maxAttempts: 8 });
 * ```
 */
export const DEFAULT_BACKOFF_OPTIONS = {
  maxAttempts: 3,
  budgetMs: Number.POSITIVE_INFINITY,
  baseDelayMs: 100,
  maxDelayMs: 20_000,
} satisfies BackoffOptions;

/**
 * The schedule of one retried operation: counts its failed tries, says when the attempt or
 * time budget is spent, and waits a full-jitter capped exponential delay between tries
 * (see {@link fullJitterDelay}), stopping on the signal. It records every failure, so that
 * the caller can end with one error listing every attempt. Use one `Backoff` per operation
 * (a batch, a chunk); loops that retry only part of their work (unprocessed items, failed
 * entries) use it directly, whole calls use {@link retry}.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2_000, signal });
 * let pending = items;
 * for (;;) {
 *   pending = await writeSome(pending);          // returns what was not written
 *   if (pending.length === 0) break;
 *   backoff.fail(`${pending.length} unprocessed`);
 *   if (backoff.exhausted) throw new Error(backoff.attempts.join('; '));
 *   await backoff.wait();                         // rejects with signal.reason on abort
 * }
 * ```
 */
export class Backoff {
  readonly #maxAttempts: number;
  readonly #budgetMs: number;
  readonly #delays: BackoffDelays;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #signal: AbortSignal | undefined;
  readonly #startedAt: number;
  readonly #attempts: string[] = [];

  constructor(options: BackoffOptions = {}) {
    const d = DEFAULT_BACKOFF_OPTIONS;
    this.#maxAttempts = options.maxAttempts ?? d.maxAttempts;
    this.#budgetMs = options.budgetMs ?? d.budgetMs;
    this.#delays = {
      baseDelayMs: options.baseDelayMs ?? d.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? d.maxDelayMs,
    };
    checkBudget(this.#maxAttempts, this.#budgetMs);
    checkDelay('baseDelayMs', this.#delays.baseDelayMs);
    checkDelay('maxDelayMs', this.#delays.maxDelayMs);
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => performance.now());
    this.#signal = options.signal;
    this.#startedAt = this.#now();
  }

  /** Failed tries recorded so far (with {@link Backoff.fail}). */
  get failures(): number {
    return this.#attempts.length;
  }

  /** Every failed try, oldest first, as `attempt N: reason`. */
  get attempts(): readonly string[] {
    return this.#attempts;
  }

  /**
   * True when no further try is allowed: `maxAttempts` tries have failed, or `budgetMs`
   * has passed since the `Backoff` was created. The signal is not part of it: an abort is
   * the caller's to report (it rejects {@link Backoff.wait}).
   */
  get exhausted(): boolean {
    if (this.#attempts.length >= this.#maxAttempts) return true;
    return this.#budgetMs !== Number.POSITIVE_INFINITY && this.elapsedMs >= this.#budgetMs;
  }

  /** Milliseconds since the `Backoff` was created, on its clock. */
  get elapsedMs(): number {
    return this.#now() - this.#startedAt;
  }

  /**
   * Records a failed try: `reason` is a description or the error (described as
   * `Name: message`). Returns the line added to {@link Backoff.attempts}.
   */
  fail(reason: unknown): string {
    const line = `attempt ${this.#attempts.length + 1}: ${
      typeof reason === 'string' ? reason : describeError(reason)
    }`;
    this.#attempts.push(line);
    return line;
  }

  /**
   * Waits before the next try: a full-jitter delay for retry number {@link Backoff.failures},
   * cut to the time left in the budget. Rejects with the signal's reason when it is aborted
   * (before the wait too, whatever the injected sleep does), and with
   * `KSE_CORE_RETRIES_EXHAUSTED` when called although the budget is spent. Resolves to the
   * delay waited.
   */
  async wait(): Promise<number> {
    if (this.#signal?.aborted) throw this.#signal.reason;
    if (this.exhausted) throw this.exhaustedError();
    let delay = fullJitterDelay(this.#attempts.length, this.#delays, this.#random);
    if (this.#budgetMs !== Number.POSITIVE_INFINITY) {
      delay = Math.min(delay, Math.max(0, Math.floor(this.#budgetMs - this.elapsedMs)));
    }
    await this.#sleep(delay, this.#signal);
    return delay;
  }

  /**
   * The error that ends the operation when the budget is spent: `KSE_CORE_RETRIES_EXHAUSTED`
   * (retryable) listing every attempt, with `cause` (e.g. the last error).
   */
  exhaustedError(cause?: unknown): CoreError {
    const last = this.#attempts.at(-1);
    return new CoreError(
      'KSE_CORE_RETRIES_EXHAUSTED',
      `gave up after ${this.#attempts.length} tries in ${Math.round(this.elapsedMs)} ms${
        last === undefined ? '' : `; last ${last}`
      }`,
      { cause, attempts: this.#attempts },
    );
  }
}

function checkBudget(maxAttempts: number, budgetMs: number): void {
  if (!(Number.isInteger(maxAttempts) || maxAttempts === Number.POSITIVE_INFINITY)) {
    throw invalid('maxAttempts', maxAttempts, 'an integer ≥ 1, or Infinity with a finite budgetMs');
  }
  if (maxAttempts < 1) throw invalid('maxAttempts', maxAttempts, 'an integer ≥ 1');
  if (Number.isNaN(budgetMs) || budgetMs < 0) {
    throw invalid('budgetMs', budgetMs, 'a number of ms ≥ 0, or Infinity');
  }
  if (maxAttempts === Number.POSITIVE_INFINITY && budgetMs === Number.POSITIVE_INFINITY) {
    // Retries end on a budget, never by luck.
    throw invalid('maxAttempts', maxAttempts, 'a finite number when budgetMs is Infinity');
  }
}

function checkDelay(option: keyof BackoffDelays, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw invalid(option, value, 'a finite number of ms ≥ 0');
  }
}

function invalid(option: string, value: unknown, expected: string): CoreError {
  return new CoreError(
    'KSE_CORE_OPTIONS_INVALID',
    `option ${option} is ${String(value)}; expected ${expected}`,
    { option },
  );
}
