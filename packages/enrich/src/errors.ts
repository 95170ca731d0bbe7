import type { SchemaErrorCode } from '@kse/schemas';

/**
 * Stable error codes of `@kse/enrich`. Callers test `error.code`, not `instanceof`
 * (two installed copies of a package break `instanceof`).
 *
 * @example
 * ```ts
 * import { ENRICH_ERROR_CODES } from '@kse/enrich';
 * ENRICH_ERROR_CODES.includes('KSE_WRITE_FAILED'); // true
 * ```
 */
export const ENRICH_ERROR_CODES = [
  /** An item's order never arrived within the join window (dead-letter code). */
  'KSE_JOIN_UNMATCHED',
  /** An order no item met within the join window (dead-letter code). */
  'KSE_JOIN_UNMATCHED_ORDER',
  /**
   * An update (a copy with other attributes) of a record that already produced rows,
   * some of which it can no longer reach: their partner left the window, so those rows
   * keep the earlier attributes (dead-letter code).
   */
  'KSE_JOIN_LATE_UPDATE',
  /** A DMS record names a table that maps to no record type (dead-letter code). */
  'KSE_DMS_TABLE_UNKNOWN',
  /** Rows could not be written to DynamoDB within the retry budget, or were rejected. */
  'KSE_WRITE_FAILED',
  /** The products reference table could not be loaded or parsed. */
  'KSE_REFERENCE_LOAD_FAILED',
  /** The join state store failed to read or write. */
  'KSE_STATE_STORE_FAILED',
  /**
   * A join batch was committed after a later call of the same join (or store) had already
   * discarded it; nothing was written. The batch's work is redone by that later call's
   * retry of the same input.
   */
  'KSE_JOIN_BATCH_SUPERSEDED',
  /** An option is invalid; the message names it. */
  'KSE_OPTIONS_INVALID',
] as const;

/**
 * One of {@link ENRICH_ERROR_CODES}.
 *
 * @example
 * ```ts
 * const code: EnrichErrorCode = 'KSE_WRITE_FAILED';
 * ```
 */
export type EnrichErrorCode = (typeof ENRICH_ERROR_CODES)[number];

/**
 * Options of {@link EnrichError}.
 *
 * @example
 * ```ts
 * new EnrichError('KSE_WRITE_FAILED', '2 rows not written', { unwrittenKeys: ['1/2', '1/3'], retryable: true });
 * ```
 */
export interface EnrichErrorOptions {
  cause?: unknown;
  /** True when the same call may succeed later (throttling, a network error). */
  retryable?: boolean;
  /** Keys of rows that were not written (`KSE_WRITE_FAILED`), as `orderId/itemId`. */
  unwrittenKeys?: string[];
  /** Every failed attempt, oldest first, for errors raised after retries. */
  attempts?: string[];
  /** Where the problem came from: an S3 URI, a file, a table name. */
  source?: string;
}

/**
 * The one error type of `@kse/enrich`, with a stable {@link EnrichErrorCode}, a
 * `retryable` flag and context fields.
 *
 * @example
 * ```ts
 * try { await writer.write(rows); }
 * catch (e) { if (isEnrichError(e) && e.code === 'KSE_WRITE_FAILED') console.error(e.unwrittenKeys); }
 * ```
 */
export class EnrichError extends Error {
  override readonly name = 'EnrichError';
  /** Stable code from {@link ENRICH_ERROR_CODES}. */
  readonly code: EnrichErrorCode;
  /** True when the same call may succeed later. */
  readonly retryable: boolean;
  /** `orderId/itemId` of every row not written (`KSE_WRITE_FAILED`). */
  readonly unwrittenKeys: string[];
  /** Every failed attempt, oldest first. */
  readonly attempts: string[];
  readonly source: string | undefined;

  constructor(code: EnrichErrorCode, message: string, options: EnrichErrorOptions = {}) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.unwrittenKeys = options.unwrittenKeys ?? [];
    this.attempts = options.attempts ?? [];
    this.source = options.source;
  }

  /** A plain object for logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      source: this.source,
      unwrittenKeys: this.unwrittenKeys.length > 0 ? this.unwrittenKeys : undefined,
      attempts: this.attempts.length > 0 ? this.attempts : undefined,
    };
  }
}

/**
 * True when `value` is an {@link EnrichError}, judged by its `code` so that it works
 * across installed copies of this package.
 *
 * @example
 * ```ts
 * if (isEnrichError(error) && error.retryable) retryLater();
 * ```
 */
export function isEnrichError(value: unknown): value is EnrichError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (ENRICH_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * A dead letter's code: one of ours or one of `@kse/schemas`.
 *
 * @example
 * ```ts
 * const code: DeadLetterCode = letter.code; // 'KSE_JOIN_UNMATCHED' | 'KSE_SCHEMA_INVALID' | …
 * ```
 */
export type DeadLetterCode = EnrichErrorCode | SchemaErrorCode;

/**
 * A record that could not go through, with why and where it came from. Every stage of
 * `@kse/enrich` emits this one shape, so one dead-letter sink takes them all.
 *
 * @example
 * ```ts
 * const letter: DeadLetter = { code: 'KSE_JOIN_UNMATCHED', reason: 'no order within 60000 ms', position: '4959…' };
 * ```
 */
export interface DeadLetter {
  /** Stable code: `KSE_JOIN_UNMATCHED`, `KSE_JOIN_UNMATCHED_ORDER`, `KSE_SCHEMA_INVALID`, … */
  code: DeadLetterCode;
  /** Human-readable reason. */
  reason: string;
  /** A shard id, file or S3 URI, as given with the input. */
  source?: string;
  /** The stream the record was read from (an ARN), when the reader knows it. */
  stream?: string;
  /** A sequence number or line number, as given with the input. */
  position?: string | number;
  /**
   * The offending record: the input text for undecodable input (base64 when it is not
   * valid UTF-8), or the typed record for a join dead letter.
   */
  data?: unknown;
}

/** Options validation helper: throws `KSE_OPTIONS_INVALID` naming the option. */
export function invalidOption(name: string, value: unknown, expected: string): EnrichError {
  return new EnrichError(
    'KSE_OPTIONS_INVALID',
    `option ${name} is ${JSON.stringify(value)}; expected ${expected}`,
  );
}
