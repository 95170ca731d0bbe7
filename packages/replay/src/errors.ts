/**
 * Stable error codes of `@kse/replay`. Callers test `error.code`, not `instanceof`.
 * The same codes name the reason of each dead-lettered record.
 */
export const REPLAY_ERROR_CODES = [
  /** An option is missing or out of range; the message names it. */
  'KSE_REPLAY_OPTIONS_INVALID',
  /** A file, glob or S3 prefix matched nothing, or could not be listed. */
  'KSE_REPLAY_SOURCE_NOT_FOUND',
  /** A source could not be read (I/O error, corrupt gzip, S3 error). */
  'KSE_REPLAY_SOURCE_READ_FAILED',
  /** A line is not valid UTF-8 JSON object. */
  'KSE_REPLAY_LINE_INVALID',
  /** A line lacks the timestamp attribute, or its value is not a date. */
  'KSE_REPLAY_TIMESTAMP_MISSING',
  /** A line lacks the partition key attribute, or it is not a usable key. */
  'KSE_REPLAY_PARTITION_KEY_MISSING',
  /** A record is larger than one Kinesis record may be (1 MiB). */
  'KSE_REPLAY_RECORD_TOO_LARGE',
  /** PutRecords kept failing for a record until the retry budget was spent. */
  'KSE_REPLAY_RETRIES_EXHAUSTED',
  /** Kinesis rejected a record or a request for a reason retrying cannot fix. */
  'KSE_REPLAY_PUT_REJECTED',
  /** The replay was aborted (signal, or a fatal error) before the record was sent. */
  'KSE_REPLAY_ABORTED',
  /** A dead letter could not be written (full disk, file-size limit, I/O error); the message names the file. */
  'KSE_REPLAY_DEAD_LETTER_WRITE_FAILED',
] as const;

/** One of {@link REPLAY_ERROR_CODES}. */
export type ReplayErrorCode = (typeof REPLAY_ERROR_CODES)[number];

/** Options of {@link ReplayError}: the cause and where it happened. */
export interface ReplayErrorOptions {
  cause?: unknown;
  /** Whether trying again may succeed (throttling, 5xx, network). Default false. */
  retryable?: boolean;
  /** A file name or S3 URI. */
  source?: string;
  /** A line number in the source. */
  lineNumber?: number;
  /** The option at fault, for `KSE_REPLAY_OPTIONS_INVALID`. */
  option?: string;
  /** Every attempt's error, for `KSE_REPLAY_RETRIES_EXHAUSTED`. */
  attempts?: string[];
  /** The dead-letter file, for `KSE_REPLAY_DEAD_LETTER_WRITE_FAILED`. */
  path?: string;
}

/**
 * The one error type of `@kse/replay`, with a stable {@link ReplayErrorCode}, a
 * `retryable` flag and context fields.
 *
 * @example
 * ```ts
 * try { await replay(options); }
 * catch (e) { if (isReplayError(e) && e.code === 'KSE_REPLAY_OPTIONS_INVALID') usage(e.message); }
 * ```
 */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  readonly code: ReplayErrorCode;
  readonly reason: string;
  readonly retryable: boolean;
  readonly source: string | undefined;
  readonly lineNumber: number | undefined;
  readonly option: string | undefined;
  readonly attempts: string[];
  readonly path: string | undefined;

  constructor(code: ReplayErrorCode, reason: string, options: ReplayErrorOptions = {}) {
    const where = [
      options.source,
      options.lineNumber === undefined ? undefined : `line ${options.lineNumber}`,
    ]
      .filter((part) => part !== undefined)
      .join(' ');
    super(where === '' ? `${code}: ${reason}` : `${code}: ${reason} (${where})`, {
      cause: options.cause,
    });
    this.code = code;
    this.reason = reason;
    this.retryable = options.retryable ?? false;
    this.source = options.source;
    this.lineNumber = options.lineNumber;
    this.option = options.option;
    this.attempts = options.attempts ?? [];
    this.path = options.path;
  }

  /** A plain object for logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      reason: this.reason,
      retryable: this.retryable,
      source: this.source,
      lineNumber: this.lineNumber,
      option: this.option,
      attempts: this.attempts.length > 0 ? this.attempts : undefined,
      path: this.path,
    };
  }
}

/** True when `value` is a {@link ReplayError}, judged by its `code`. */
export function isReplayError(value: unknown): value is ReplayError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (REPLAY_ERROR_CODES as readonly string[]).includes(code);
}
