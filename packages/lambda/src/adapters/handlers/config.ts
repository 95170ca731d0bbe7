import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { LambdaError } from '../../errors.js';

/**
 * Reads a handler's configuration: explicit options win, environment variables fill the
 * rest, and the result is validated with zod. A missing or bad value fails the cold
 * start with `KSE_LAMBDA_CONFIG_INVALID` naming the environment variable (or option).
 *
 * @param schema zod schema keyed by environment variable name
 * @param explicit values given in code, keyed by the same names (every variable read is listed)
 */
export function readConfig<S extends z.core.$ZodType<object>>(
  schema: S,
  env: Record<string, string | undefined>,
  explicit: Partial<Record<keyof z.input<S>, unknown>>,
): z.output<S> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(explicit)) {
    const given = (explicit as Record<string, unknown>)[key];
    const fromEnv = env[key];
    input[key] = given !== undefined ? given : fromEnv === '' ? undefined : fromEnv;
  }
  // Parsed once per cold start: zod's compiled object parser (built with `new Function` on
  // first use) would cost more to build than it saves. Messages in English whatever zod's
  // global locale (zod/mini sets none).
  const result = z.safeParse(schema, input, { jitless: true, error: en().localeError });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'configuration');
  const missing = input[variable] === undefined;
  throw new LambdaError(
    'KSE_LAMBDA_CONFIG_INVALID',
    missing
      ? `environment variable ${variable} is required`
      : `environment variable ${variable} is invalid: ${issue.message}`,
    { variable, retryable: false },
  );
}

// The schemas are zod/mini's (functions, not methods): a handler bundle carries only the
// checks it uses. Each handler builds its schema when it is created, not at import.

/** A string of at least `min` characters. */
export const minLengthString = (min: number) => z.string().check(z.minLength(min));

/** A positive integer given as a number or a decimal string. */
export const positiveInt = () => z.coerce.number().check(z.int(), z.positive());

/** A number (or a decimal string) of at least `min`. */
export const numberAtLeast = (min: number) => z.coerce.number().check(z.gte(min));

/** `s3://bucket/key` → `{ bucket, key }`. */
export const s3Uri = () =>
  z.pipe(
    z.string().check(z.regex(/^s3:\/\/[^/]+\/.+$/, 'expected s3://bucket/key')),
    z.transform((uri: string) => {
      const rest = uri.slice('s3://'.length);
      const slash = rest.indexOf('/');
      return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
    }),
  );
