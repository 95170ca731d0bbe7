/**
 * Stable error codes of `@kse/schemas`. Callers test `error.code`, not `instanceof`
 * (two installed copies of a package break `instanceof`).
 */
export const SCHEMA_ERROR_CODES = [
  /** The bytes are not valid UTF-8. */
  'KSE_UTF8_INVALID',
  /** The text is not one valid JSON value. */
  'KSE_JSON_INVALID',
  /** The record is larger than the limit it must fit (a Kinesis record, by default). */
  'KSE_RECORD_TOO_LARGE',
  /** `recordType` is present but is not one kse knows. */
  'KSE_RECORD_TYPE_UNKNOWN',
  /** The JSON is valid but does not match the schema (wrong type, missing field, …). */
  'KSE_SCHEMA_INVALID',
  /** A DynamoDB item is larger than 400 KB. */
  'KSE_ITEM_TOO_LARGE',
  /** A DynamoDB item does not map back to a typed value. */
  'KSE_ITEM_INVALID',
  /** A KPL-aggregated record is truncated, has a bad MD5 trailer or a malformed protobuf. */
  'KSE_KPL_INVALID',
] as const;

/** One of {@link SCHEMA_ERROR_CODES}. */
export type SchemaErrorCode = (typeof SCHEMA_ERROR_CODES)[number];

/** Where a record came from, as the caller knows it; copied onto errors. */
export interface RecordOrigin {
  /** A file name, an S3 URI, a stream name… */
  source?: string;
  /** A line number, a Kinesis sequence number, an index in a batch… */
  position?: string | number;
}

/** One problem found by schema validation. */
export interface SchemaIssue {
  /** Path of the offending field, e.g. `["orderId"]`. */
  path: (string | number)[];
  /** What is wrong with it. */
  message: string;
}

/** Options of {@link SchemaError}. */
export interface SchemaErrorOptions extends RecordOrigin {
  cause?: unknown;
  issues?: SchemaIssue[];
}

/**
 * The one error type of `@kse/schemas`: bad input, with a stable {@link SchemaErrorCode},
 * the reason, and where the record came from. Never retryable: the same bytes fail the
 * same way.
 *
 * @example
 * ```ts
 * try { decodeRecord(bytes, { position: 42 }); }
 * catch (e) { if (isSchemaError(e)) console.error(e.code, e.position, e.reason); }
 * ```
 */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  /** Stable code from {@link SCHEMA_ERROR_CODES}. */
  readonly code: SchemaErrorCode;
  /** Why the record was rejected, without the origin. */
  readonly reason: string;
  /** Bad input is never worth retrying. */
  readonly retryable = false;
  readonly source: string | undefined;
  readonly position: string | number | undefined;
  /** Field-level problems, for `KSE_SCHEMA_INVALID`. */
  readonly issues: SchemaIssue[];

  constructor(code: SchemaErrorCode, reason: string, options: SchemaErrorOptions = {}) {
    super(formatMessage(code, reason, options), { cause: options.cause });
    this.code = code;
    this.reason = reason;
    this.source = options.source;
    this.position = options.position;
    this.issues = options.issues ?? [];
  }

  /** A plain object for logs and dead-letter files. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      reason: this.reason,
      source: this.source,
      position: this.position,
      issues: this.issues.length > 0 ? this.issues : undefined,
    };
  }
}

function formatMessage(code: SchemaErrorCode, reason: string, origin: RecordOrigin): string {
  const where = [origin.source, origin.position === undefined ? undefined : `@${origin.position}`]
    .filter((part) => part !== undefined)
    .join(' ');
  return where === '' ? `${code}: ${reason}` : `${code}: ${reason} (${where})`;
}

/**
 * True when `value` is a {@link SchemaError}, judged by its `code` so that it works
 * across installed copies of this package.
 */
export function isSchemaError(value: unknown): value is SchemaError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (SCHEMA_ERROR_CODES as readonly string[]).includes(code);
}
