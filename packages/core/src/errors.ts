/**
 * Stable error codes of `@kse/core`. Callers test `error.code`, not `instanceof` (two
 * installed copies of a package break `instanceof`).
 *
 * @example
 * ```ts
 * import { CORE_ERROR_CODES } from '@kse/core';
 * CORE_ERROR_CODES.includes('KSE_CORE_RETRIES_EXHAUSTED'); // true
 * ```
 */
export const CORE_ERROR_CODES = [
  /** An option is invalid; the message and `option` name it. */
  'KSE_CORE_OPTIONS_INVALID',
  /** Every try allowed by the attempt or time budget failed; `attempts` lists them. */
  'KSE_CORE_RETRIES_EXHAUSTED',
  /** The signal aborted while retrying; `attempts` lists the tries made. */
  'KSE_CORE_RETRY_ABORTED',
  /** A try failed with an error classified as not retryable; `cause` is that error. */
  'KSE_CORE_NOT_RETRYABLE',
] as const;

/**
 * One of {@link CORE_ERROR_CODES}.
 *
 * @example
 * ```ts
 * const code: CoreErrorCode = 'KSE_CORE_RETRIES_EXHAUSTED';
 * ```
 */
export type CoreErrorCode = (typeof CORE_ERROR_CODES)[number];

/**
 * Options of {@link CoreError}.
 *
 * @example
 * ```ts
 * new CoreError('KSE_CORE_OPTIONS_INVALID', 'maxAttempts must be ≥ 1', { option: 'maxAttempts' });
 * ```
 */
export interface CoreErrorOptions {
  cause?: unknown;
  /** True when the same call may succeed later. Defaults by code (see {@link CoreError}). */
  retryable?: boolean;
  /** Every failed try, oldest first, as `attempt N: reason`. */
  attempts?: readonly string[];
  /** The option at fault, for `KSE_CORE_OPTIONS_INVALID`. */
  option?: string;
}

/**
 * The one error type of `@kse/core`, with a stable {@link CoreErrorCode}, a `retryable`
 * flag (by default true only for `KSE_CORE_RETRIES_EXHAUSTED`: the budget ran out, the
 * call may still succeed later) and context fields.
 *
 * @example
 * ```ts
 * try { await retry(() => send(), { maxAttempts: 5 }); }
 * catch (e) { if (isCoreError(e) && e.code === 'KSE_CORE_RETRIES_EXHAUSTED') console.error(e.attempts); }
 * ```
 */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  /** Stable code from {@link CORE_ERROR_CODES}. */
  readonly code: CoreErrorCode;
  /** True when the same call may succeed later. */
  readonly retryable: boolean;
  /** Every failed try, oldest first, as `attempt N: reason`. */
  readonly attempts: string[];
  /** The option at fault, for `KSE_CORE_OPTIONS_INVALID`. */
  readonly option: string | undefined;

  constructor(code: CoreErrorCode, message: string, options: CoreErrorOptions = {}) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? code === 'KSE_CORE_RETRIES_EXHAUSTED';
    this.attempts = [...(options.attempts ?? [])];
    this.option = options.option;
  }

  /** A plain object for logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      option: this.option,
      attempts: this.attempts.length > 0 ? this.attempts : undefined,
    };
  }
}

/**
 * True when `value` is a {@link CoreError}, judged by its `code` so that it works across
 * installed copies of this package.
 *
 * @example
 * ```ts
 * if (isCoreError(error) && error.retryable) retryLater();
 * ```
 */
export function isCoreError(value: unknown): value is CoreError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (CORE_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * A short description of an error, for attempt lists and dead letters: `Name: message`
 * for an `Error`, `String(value)` for anything else.
 *
 * @example
 * ```ts
 * describeError(new TypeError('bad')); // 'TypeError: bad'
 * ```
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
