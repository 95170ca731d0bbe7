/**
 * Stable error codes of `@kse/lambda`. Callers test `error.code`, not `instanceof`
 * (two installed copies of a package break `instanceof`).
 */
export const LAMBDA_ERROR_CODES = [
  /** A Kinesis record's `data` is not valid base64. */
  'KSE_LAMBDA_BASE64_INVALID',
  /** A KPL-aggregated record is truncated, has a bad MD5 trailer or bad protobuf. */
  'KSE_LAMBDA_KPL_INVALID',
  /** Every record of a batch failed; Lambda must retry the whole batch. */
  'KSE_LAMBDA_BATCH_FAILED',
  /** A configuration value (environment variable or option) is missing or bad. */
  'KSE_LAMBDA_CONFIG_INVALID',
  /** The shard lease was taken by another worker; this worker stops on that shard. */
  'KSE_LAMBDA_LEASE_LOST',
  /** An AWS call of the event source mapping failed after its retries. */
  'KSE_LAMBDA_AWS_FAILED',
  /** Sending records to the on-failure destination failed. */
  'KSE_LAMBDA_DESTINATION_FAILED',
] as const;

/** One of {@link LAMBDA_ERROR_CODES}. */
export type LambdaErrorCode = (typeof LAMBDA_ERROR_CODES)[number];

/** Options of {@link LambdaError}. */
export interface LambdaErrorOptions {
  cause?: unknown;
  /** Whether trying again may succeed. Defaults by code. */
  retryable?: boolean;
  /** Shard the error is about, when there is one. */
  shardId?: string;
  /** Sequence number the error is about, when there is one. */
  sequenceNumber?: string;
  /** Configuration variable or option the error is about. */
  variable?: string;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<LambdaErrorCode> = new Set([
  'KSE_LAMBDA_BATCH_FAILED',
  'KSE_LAMBDA_AWS_FAILED',
  'KSE_LAMBDA_DESTINATION_FAILED',
]);

/**
 * The one error type of `@kse/lambda`, with a stable {@link LambdaErrorCode}, a
 * `retryable` flag and the shard, sequence number or configuration variable it is about.
 *
 * @example
 * ```ts
 * try { createSinkHandler(); }
 * catch (e) { if (isLambdaError(e) && e.code === 'KSE_LAMBDA_CONFIG_INVALID') console.error(e.variable); }
 * ```
 */
export class LambdaError extends Error {
  override readonly name = 'LambdaError';
  /** Stable code from {@link LAMBDA_ERROR_CODES}. */
  readonly code: LambdaErrorCode;
  readonly retryable: boolean;
  readonly shardId: string | undefined;
  readonly sequenceNumber: string | undefined;
  readonly variable: string | undefined;

  constructor(code: LambdaErrorCode, message: string, options: LambdaErrorOptions = {}) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.shardId = options.shardId;
    this.sequenceNumber = options.sequenceNumber;
    this.variable = options.variable;
  }

  /** A plain object for logs and dead-letter files. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      shardId: this.shardId,
      sequenceNumber: this.sequenceNumber,
      variable: this.variable,
    };
  }
}

/**
 * True when `value` is a {@link LambdaError}, judged by its `code` so that it works across
 * installed copies of this package.
 */
export function isLambdaError(value: unknown): value is LambdaError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (LAMBDA_ERROR_CODES as readonly string[]).includes(code);
}
