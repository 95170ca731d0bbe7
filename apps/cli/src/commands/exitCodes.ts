/**
 * kse's exit codes, the same for every command (documented in `kse --help` and the README).
 *
 * @example
 * ```ts
 * process.exitCode = verdict.exact ? EXIT_CODES.ok : EXIT_CODES.notExact;
 * ```
 */
export const EXIT_CODES = {
  /** Success; for `kse run` and `kse verify`, an exact verdict. */
  ok: 0,
  /** The verdict is not exact (or `kse replay` dead-lettered records). */
  notExact: 1,
  /** Usage: bad flags or values, a refused confirmation, a refusal to write a non-empty table. */
  usage: 2,
  /** AWS or infrastructure failure: credentials, an AWS call failed after its retries, an emulator died. */
  infrastructure: 3,
  /** Interrupted by SIGINT (Ctrl-C) or SIGTERM. */
  interrupted: 130,
} as const;

/** One of the values of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit codes as `kse --help` and the READMEs list them. */
export const EXIT_CODES_HELP = `Exit codes (every command):
  0    success (run, verify: the verdict is exact)
  1    the verdict is not exact (replay: records were dead-lettered)
  2    usage: bad flags, a refused confirmation, a table that holds rows
       without --reset, nothing to resume (run --resume), a missing or
       invalid report (kse report)
  3    AWS or infrastructure failure: credentials, a call that failed after its
       retries, an emulator that died, a local stack that is not running
  130  interrupted (Ctrl-C, SIGTERM)`;

/** Stable codes of the errors the commands raise themselves. */
export const CLI_ERROR_CODES = [
  /** A flag or a value is wrong, or missing. */
  'KSE_USAGE',
  /** A real account would change, and there is no terminal to ask on and no `--yes`. */
  'KSE_CONFIRMATION_REQUIRED',
  /** The user answered no. */
  'KSE_CONFIRMATION_DECLINED',
  /** A table holds rows and `--reset` was not given. */
  'KSE_TABLE_NOT_EMPTY',
  /** The `kse local up` stack a command needs is not running. */
  'KSE_STACK_NOT_RUNNING',
  /** An AWS call failed (after its retries), or the account could not be identified. */
  'KSE_AWS_FAILED',
  /** No credentials for the AWS target. */
  'KSE_CREDENTIALS_MISSING',
  /** SIGINT or SIGTERM stopped the command. */
  'KSE_INTERRUPTED',
  /** An endpoint stopped answering mid-run (its emulator died, or stalled past the budget). */
  'KSE_ENDPOINT_DOWN',
  /** `kse run --resume` found nothing to resume in the work directory. */
  'KSE_NOTHING_TO_RESUME',
  /** `kse run --resume` was given options or a target that differ from the run's. */
  'KSE_RESUME_CONFLICT',
  /** `kse report`: no report at the path given (no file, or a directory without report.json). */
  'KSE_REPORT_NOT_FOUND',
  /** `kse report`: the file is not a kse run report (not JSON, another kind, an unknown version). */
  'KSE_REPORT_INVALID',
  /** Anything else: a bug. */
  'KSE_INTERNAL',
] as const;

/** One of {@link CLI_ERROR_CODES}. */
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

const EXIT_OF_CLI_CODE: Record<CliErrorCode, ExitCode> = {
  KSE_USAGE: EXIT_CODES.usage,
  KSE_CONFIRMATION_REQUIRED: EXIT_CODES.usage,
  KSE_CONFIRMATION_DECLINED: EXIT_CODES.usage,
  KSE_TABLE_NOT_EMPTY: EXIT_CODES.usage,
  KSE_STACK_NOT_RUNNING: EXIT_CODES.infrastructure,
  KSE_AWS_FAILED: EXIT_CODES.infrastructure,
  KSE_CREDENTIALS_MISSING: EXIT_CODES.infrastructure,
  KSE_INTERRUPTED: EXIT_CODES.interrupted,
  KSE_ENDPOINT_DOWN: EXIT_CODES.infrastructure,
  KSE_NOTHING_TO_RESUME: EXIT_CODES.usage,
  KSE_RESUME_CONFLICT: EXIT_CODES.usage,
  KSE_REPORT_NOT_FOUND: EXIT_CODES.usage,
  KSE_REPORT_INVALID: EXIT_CODES.usage,
  KSE_INTERNAL: EXIT_CODES.notExact,
};

/** Options of {@link CliError}. */
export interface CliErrorOptions {
  cause?: unknown;
  /** What to do about it, printed on a `hint:` line. */
  hint?: string;
}

/**
 * An error a command raises on purpose, with a stable {@link CliErrorCode}, the exit code
 * that code stands for, and a hint. `runCli` prints it as one line (`kse <command>:
 * <code>: <message>`) plus the hint.
 *
 * @example
 * ```ts
 * throw new CliError('KSE_USAGE', '--prefix needs --bucket', { hint: 'kse replay --help' });
 * ```
 */
export class CliError extends Error {
  override readonly name = 'KseCliError';
  /** Stable code from {@link CLI_ERROR_CODES}. */
  readonly code: CliErrorCode;
  /** The exit code the command ends with. */
  readonly exitCode: ExitCode;
  /** What to do about it, when there is something to say. */
  readonly hint: string | undefined;

  constructor(code: CliErrorCode, message: string, options: CliErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.exitCode = EXIT_OF_CLI_CODE[code];
    this.hint = options.hint;
  }
}

/** True when `value` is a {@link CliError}, judged by its name and code. */
export function isCliError(value: unknown): value is CliError {
  if (!(value instanceof Error) || value.name !== 'KseCliError') return false;
  const code: unknown = (value as Error & { code?: unknown }).code;
  return typeof code === 'string' && (CLI_ERROR_CODES as readonly string[]).includes(code);
}

/** What {@link classifyError} makes of an error: what to print and the exit code. */
export interface ClassifiedError {
  /** A stable code: a `KSE_…` code, an AWS error name or a system error code. */
  code: string;
  exitCode: ExitCode;
  /** The first line of the error's message, without a repeated code prefix. */
  message: string;
  hint?: string;
}

// Codes of the packages' errors that mean "the command line is wrong"; any other KSE_ code
// raised by a package is a failure of AWS or of the local stack.
const USAGE_CODES = new Set([
  'KSE_CONFIG_INVALID',
  'KSE_GENERATOR_OPTION_INVALID',
  'KSE_REPLAY_OPTIONS_INVALID',
  'KSE_REPLAY_SOURCE_NOT_FOUND',
  'KSE_OPTIONS_INVALID',
  'KSE_LAMBDA_CONFIG_INVALID',
  'KSE_CORE_OPTIONS_INVALID',
]);
const INTERRUPT_CODES = new Set([
  'KSE_REPLAY_ABORTED',
  'KSE_GENERATOR_ABORTED',
  'KSE_CORE_RETRY_ABORTED',
]);

// System errors of a connection: the endpoint is down, unreachable, or hung up.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

// AWS error names that mean the credentials are wrong or missing.
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'AccessDenied',
  'AccessDeniedException',
  'TokenRefreshRequired',
]);

const CREDENTIALS_HINT =
  'check the credentials of the AWS target: --profile, AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY';

/**
 * The one place that decides what an error means for the exit code: by its code or name,
 * never by `instanceof` (a package may be installed twice). An error with one of
 * {@link CLI_ERROR_CODES} (a {@link CliError}, or the pipeline's) exits as that code says; usage errors of the packages (bad options) exit 2;
 * interrupts 130; AWS service errors, credentials, connection errors and the packages'
 * other `KSE_…` failures 3; anything else is a bug (1). Wrapped errors are classified by
 * their `cause` when they say nothing themselves.
 *
 * @example
 * ```ts
 * const { code, exitCode, message } = classifyError(error); // e.g. ECONNREFUSED, 3
 * ```
 */
export function classifyError(error: unknown): ClassifiedError {
  return (
    classifyKnown(error, 0) ?? {
      code: 'KSE_INTERNAL',
      exitCode: EXIT_CODES.notExact,
      message: firstLine(error),
      hint: 'this looks like a bug in kse: run again with --debug and report the stack trace',
    }
  );
}

function classifyKnown(error: unknown, depth: number): ClassifiedError | undefined {
  if (!(error instanceof Error) || depth > 5) return undefined;
  const code = codeOf(error);
  const message = firstLine(error, code);
  // The commands' codes (CliError, and the pipeline's errors, which use the same codes).
  if (code !== undefined && Object.hasOwn(EXIT_OF_CLI_CODE, code)) {
    const hint: unknown = (error as { hint?: unknown }).hint;
    return {
      code,
      exitCode: EXIT_OF_CLI_CODE[code as CliErrorCode],
      message,
      ...hintOf(typeof hint === 'string' ? hint : undefined),
    };
  }
  if (error.name === 'AbortError' || (code !== undefined && INTERRUPT_CODES.has(code))) {
    return { code: 'KSE_INTERRUPTED', exitCode: EXIT_CODES.interrupted, message };
  }
  if (code?.startsWith('commander.'))
    return { code: 'KSE_USAGE', exitCode: EXIT_CODES.usage, message };
  // The packages' errors name the option or variable at fault (`setting`, `option`).
  const at = (error as { setting?: unknown }).setting ?? (error as { option?: unknown }).option;
  const atHint = hintOf(typeof at === 'string' ? `check ${at}` : undefined);
  if (code !== undefined && USAGE_CODES.has(code)) {
    return { code, exitCode: EXIT_CODES.usage, message, ...atHint };
  }
  if (CREDENTIAL_ERRORS.has(error.name) || (code !== undefined && CREDENTIAL_ERRORS.has(code))) {
    return {
      code: error.name,
      exitCode: EXIT_CODES.infrastructure,
      message,
      hint: CREDENTIALS_HINT,
    };
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return {
      code,
      exitCode: EXIT_CODES.infrastructure,
      message,
      hint: 'is the endpoint up and reachable? (`kse local status` for a `kse local up` stack)',
    };
  }
  // Smithy's timeouts, and every error the SDK parsed from a service's answer.
  if (error.name === 'TimeoutError' || '$metadata' in error || '$fault' in error) {
    return { code: error.name, exitCode: EXIT_CODES.infrastructure, message };
  }
  if (code?.startsWith('KSE_')) {
    return { code, exitCode: EXIT_CODES.infrastructure, message, ...atHint };
  }
  const inner = classifyKnown(error.cause, depth + 1);
  if (inner !== undefined) return { ...inner, message };
  return undefined;
}

function codeOf(error: Error): string | undefined {
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function hintOf(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

// The first line of the message, without the `KSE_X: ` prefix some packages repeat.
function firstLine(error: unknown, code?: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  const trimmed = line.trim();
  return code !== undefined && trimmed.startsWith(`${code}: `)
    ? trimmed.slice(code.length + 2)
    : trimmed || (error instanceof Error ? error.name : 'error');
}

/**
 * The lines `runCli` prints for an error: `kse <command>: <code>: <message>`, a `hint:`
 * line when there is one, and with `debug` the stack trace (and its causes').
 */
export function formatCliError(
  commandPath: string,
  classified: ClassifiedError,
  error: unknown,
  debug: boolean,
): string[] {
  const lines = [`${commandPath}: ${classified.code}: ${classified.message}`];
  const hint =
    classified.hint ??
    (!debug &&
    (classified.exitCode === EXIT_CODES.infrastructure ||
      classified.exitCode === EXIT_CODES.notExact)
      ? 'run again with --debug for the stack trace'
      : undefined);
  if (hint !== undefined) lines.push(`hint: ${hint}`);
  if (debug) {
    let current: unknown = error;
    for (let depth = 0; current instanceof Error && depth < 5; depth += 1) {
      lines.push(...(current.stack ?? `${current.name}: ${current.message}`).split('\n'));
      current = current.cause;
      if (current instanceof Error) lines.push('caused by:');
    }
  }
  return lines;
}
