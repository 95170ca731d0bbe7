/**
 * Stable codes of the errors the pipeline raises itself; they are codes of the commands'
 * list too, so that the one classification (`commands/exitCodes.ts`) gives them their exit
 * code by code.
 */
export const RUN_ERROR_CODES = [
  /** A resource cannot be used as it is (a stream with another shard count, a bucket of someone else). */
  'KSE_USAGE',
  /** The confirmation said no. */
  'KSE_CONFIRMATION_DECLINED',
  /** A table holds rows and `reset` is off. */
  'KSE_TABLE_NOT_EMPTY',
  /** SIGINT or SIGTERM stopped the run. */
  'KSE_INTERRUPTED',
  /** An endpoint of the stack stopped answering (its process died, or stalled past the budget). */
  'KSE_ENDPOINT_DOWN',
  /** `--resume` found no run to resume in the work directory (no manifest, finished, its resources gone). */
  'KSE_NOTHING_TO_RESUME',
  /** `--resume` was given options or a target that differ from the run it would resume. */
  'KSE_RESUME_CONFLICT',
] as const;

/** One of {@link RUN_ERROR_CODES}. */
export type RunErrorCode = (typeof RUN_ERROR_CODES)[number];

/**
 * An error of the pipeline with a stable {@link RunErrorCode} and a hint for the user.
 *
 * @example
 * ```ts
 * throw new RunError('KSE_TABLE_NOT_EMPTY', 'table OrdersEnriched holds rows', { hint: 'pass --reset' });
 * ```
 */
export class RunError extends Error {
  override readonly name = 'KseRunError';
  /** Stable code from {@link RUN_ERROR_CODES}. */
  readonly code: RunErrorCode;
  /** What to do about it. */
  readonly hint: string | undefined;

  constructor(
    code: RunErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}
