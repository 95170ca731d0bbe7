/**
 * Stable error codes of `@kse/generator`. Callers test `error.code`, not `instanceof`
 * (two installed copies of a package break `instanceof`).
 */
export const GENERATOR_ERROR_CODES = [
  /** An option is missing, of the wrong type or out of range; `option` names it. */
  'KSE_GENERATOR_OPTION_INVALID',
  /** The output (a directory, a file, a stream) cannot be written. */
  'KSE_GENERATOR_OUTPUT_FAILED',
  /** The S3 upload failed; it was aborted, so no object claims to be complete. */
  'KSE_GENERATOR_S3_FAILED',
  /** The caller's `AbortSignal` fired; partial output was removed. */
  'KSE_GENERATOR_ABORTED',
] as const;

/** One of {@link GENERATOR_ERROR_CODES}. */
export type GeneratorErrorCode = (typeof GENERATOR_ERROR_CODES)[number];

/** Options of {@link GeneratorError}. */
export interface GeneratorErrorOptions {
  cause?: unknown;
  /** The option at fault, for `KSE_GENERATOR_OPTION_INVALID` (e.g. `"itemsPerOrder"`). */
  option?: string;
  /** The file, directory or S3 URI at fault. */
  target?: string;
  /** Whether trying again may succeed (network failures of S3, for instance). */
  retryable?: boolean;
}

/**
 * The one error type of `@kse/generator`, with a stable {@link GeneratorErrorCode} and
 * the option or output at fault.
 *
 * @example
 * ```ts
 * try { await generateDataset({ outDir: 'data', orders: -1 }); }
 * catch (e) { if (isGeneratorError(e) && e.code === 'KSE_GENERATOR_OPTION_INVALID') console.error(e.option); }
 * ```
 */
export class GeneratorError extends Error {
  override readonly name = 'GeneratorError';
  /** Stable code from {@link GENERATOR_ERROR_CODES}. */
  readonly code: GeneratorErrorCode;
  /** The option at fault, when an option is. */
  readonly option: string | undefined;
  /** The file, directory or S3 URI at fault, when an output is. */
  readonly target: string | undefined;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;
  /** What went wrong, without the code and option prefix (for CLI messages). */
  readonly reason: string;

  constructor(code: GeneratorErrorCode, reason: string, options: GeneratorErrorOptions = {}) {
    const prefix = options.option === undefined ? '' : `${options.option}: `;
    super(`${code}: ${prefix}${reason}`, { cause: options.cause });
    this.code = code;
    this.reason = reason;
    this.option = options.option;
    this.target = options.target;
    this.retryable = options.retryable ?? false;
  }
}

/** True when `value` is a {@link GeneratorError}, judged by its `code`. */
export function isGeneratorError(value: unknown): value is GeneratorError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (GENERATOR_ERROR_CODES as readonly string[]).includes(code);
}
