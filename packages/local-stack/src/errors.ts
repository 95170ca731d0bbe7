/**
 * Stable error codes of `@kse/local-stack`. Callers test `error.code`, not `instanceof`
 * (two installed copies of a package break `instanceof`).
 */
export const LOCAL_STACK_ERROR_CODES = [
  /** A setting is malformed (an endpoint that is not a URL, a bad region, a bad number). */
  'KSE_CONFIG_INVALID',
  /** A port asked for is already taken by another process. */
  'KSE_PORT_IN_USE',
  /** An emulator failed to start for another reason. */
  'KSE_STACK_START_FAILED',
  /** A resource did not reach the expected state before the deadline. */
  'KSE_RESOURCE_TIMEOUT',
  /** A resource exists but does not match what was asked (e.g. another shard count). */
  'KSE_RESOURCE_CONFLICT',
] as const;

/** One of {@link LOCAL_STACK_ERROR_CODES}. */
export type LocalStackErrorCode = (typeof LOCAL_STACK_ERROR_CODES)[number];

/** Options of {@link LocalStackError}. */
export interface LocalStackErrorOptions {
  cause?: unknown;
  /** The option or environment variable at fault, e.g. `AWS_ENDPOINT_URL_KINESIS`. */
  setting?: string;
  /** The stream, table or bucket concerned. */
  resource?: string;
  /** Whether trying again may succeed. */
  retryable?: boolean;
}

/**
 * The one error type of `@kse/local-stack`, with a stable {@link LocalStackErrorCode}
 * and, for bad configuration, the `setting` to fix.
 *
 * @example
 * ```ts
 * try { resolveAwsConfig({ endpoint: 'nope' }); }
 * catch (e) { if (isLocalStackError(e)) console.error(e.code, e.setting); }
 * ```
 */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
  /** Stable code from {@link LOCAL_STACK_ERROR_CODES}. */
  readonly code: LocalStackErrorCode;
  /** The option or environment variable at fault, when there is one. */
  readonly setting: string | undefined;
  /** The resource concerned, when there is one. */
  readonly resource: string | undefined;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;

  constructor(code: LocalStackErrorCode, message: string, options: LocalStackErrorOptions = {}) {
    super(`${code}: ${message}`, { cause: options.cause });
    this.code = code;
    this.setting = options.setting;
    this.resource = options.resource;
    this.retryable = options.retryable ?? false;
  }

  /** A plain object for logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      setting: this.setting,
      resource: this.resource,
      retryable: this.retryable,
    };
  }
}

/** True when `value` is a {@link LocalStackError}, judged by its `code`. */
export function isLocalStackError(value: unknown): value is LocalStackError {
  if (!(value instanceof Error)) return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (LOCAL_STACK_ERROR_CODES as readonly string[]).includes(code);
}
