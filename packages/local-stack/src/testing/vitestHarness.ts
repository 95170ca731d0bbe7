import { randomBytes } from 'node:crypto';
import type { AwsConfig } from '../aws/config.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../emulators/dynamoDbLocal.js';
import { hasLegacyOpenSslProvider, spawnLocalStack } from '../emulators/spawnLocalStack.js';
import { startLocalStack, type LocalStack } from '../emulators/startLocalStack.js';

/**
 * Environment variable through which the global setup hands the stack's config to the
 * test workers (they inherit the main process's environment).
 */
export const TEST_AWS_CONFIG_ENV = 'KSE_TEST_AWS_CONFIG';

/**
 * Environment variable selecting the DynamoDB implementation of a test run:
 * `dynalite` (default) or `dynamodb-local` (the official Java DynamoDB Local).
 */
export const TEST_DYNAMODB_ENV = 'KSE_TEST_DYNAMODB';

/**
 * Environment variable choosing where the harness runs the emulators: `in-process` or
 * `child-process`, or `off` to start nothing (unit-test runs, which need no network; a test
 * that calls {@link testAwsConfig} then fails with a clear message). Default: in-process when the vitest process has Node's
 * `--openssl-legacy-provider` (e.g. `NODE_OPTIONS=--openssl-legacy-provider`), else in a
 * child process started with it, so that paginated S3 listings always work.
 */
export const TEST_STACK_MODE_ENV = 'KSE_TEST_STACK';

/**
 * Vitest global setup: starts one local stack for the whole test run (and, with
 * `KSE_TEST_DYNAMODB=dynamodb-local`, DynamoDB Local in place of dynalite), makes its
 * config available to {@link testAwsConfig}, and returns the teardown that stops it.
 * See {@link TEST_STACK_MODE_ENV} for where the emulators run; they run with
 * `speedups: true`.
 *
 * @example
 * ```ts
 * // packages/x/tests/setup/localStack.ts
 * export { vitestGlobalSetup as default } from '@kse/local-stack/testing';
 * // packages/x/vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['./tests/setup/localStack.ts'] } });
 * ```
 */
export async function vitestGlobalSetup(): Promise<() => Promise<void>> {
  const which = process.env[TEST_DYNAMODB_ENV] ?? 'dynalite';
  if (which !== 'dynalite' && which !== 'dynamodb-local') {
    throw new Error(
      `${TEST_DYNAMODB_ENV} must be "dynalite" or "dynamodb-local", got ${JSON.stringify(which)}`,
    );
  }
  const mode =
    process.env[TEST_STACK_MODE_ENV] ??
    (hasLegacyOpenSslProvider() ? 'in-process' : 'child-process');
  if (mode !== 'in-process' && mode !== 'child-process' && mode !== 'off') {
    throw new Error(
      `${TEST_STACK_MODE_ENV} must be "in-process", "child-process" or "off", got ${JSON.stringify(mode)}`,
    );
  }
  if (mode === 'off') return async () => {};
  // Both at once: the JVM takes seconds, the emulators well under one. If either fails,
  // the other is stopped before the error propagates (no JVM or child left behind).
  // With the speedups: the emulators' CPU is most of an integration run's; each patch
  // answers as the emulator does (see LocalStackOptions.speedups).
  const [stackResult, dynamoDbLocalResult] = await Promise.allSettled([
    mode === 'in-process'
      ? startLocalStack({ speedups: true })
      : spawnLocalStack({ speedups: true }),
    which === 'dynamodb-local' ? startDynamoDbLocal() : Promise.resolve(undefined),
  ]);
  if (stackResult.status === 'rejected' || dynamoDbLocalResult.status === 'rejected') {
    await Promise.allSettled([
      stackResult.status === 'fulfilled' ? stackResult.value.stop() : undefined,
      dynamoDbLocalResult.status === 'fulfilled' ? dynamoDbLocalResult.value?.stop() : undefined,
    ]);
    throw stackResult.status === 'rejected'
      ? stackResult.reason
      : (dynamoDbLocalResult as PromiseRejectedResult).reason;
  }
  const stack: LocalStack = stackResult.value;
  const dynamoDbLocal: DynamoDbLocal | undefined = dynamoDbLocalResult.value;
  const config: AwsConfig = {
    ...stack.config,
    endpoints: {
      ...stack.config.endpoints,
      ...(dynamoDbLocal ? { dynamodb: dynamoDbLocal.endpoint } : {}),
    },
  };
  process.env[TEST_AWS_CONFIG_ENV] = JSON.stringify(config);
  return async () => {
    delete process.env[TEST_AWS_CONFIG_ENV];
    await Promise.all([dynamoDbLocal?.stop(), stack.stop()]);
  };
}

/**
 * The config of the stack started by {@link vitestGlobalSetup}, for integration tests.
 * Throws when the global setup is not configured.
 */
export function testAwsConfig(): AwsConfig {
  const json = process.env[TEST_AWS_CONFIG_ENV];
  if (json === undefined || json === '') {
    throw new Error(
      `testAwsConfig(): ${TEST_AWS_CONFIG_ENV} is not set (${TEST_STACK_MODE_ENV}=off, or no global setup). ` +
        'Integration tests need the @kse/local-stack global setup ' +
        "to vitest.config.ts: test: { globalSetup: ['./tests/setup/localStack.ts'] }, with " +
        "tests/setup/localStack.ts: export { vitestGlobalSetup as default } from '@kse/local-stack/testing';",
    );
  }
  return JSON.parse(json) as AwsConfig;
}

let counter = 0;

/**
 * A resource name unique to this test run, worker and call, valid as a stream, table and
 * bucket name: lower case `[a-z0-9-]`, at most 63 characters.
 *
 * @example
 * ```ts
 * const stream = uniqueName('orders'); // "orders-m1x2y3-1-4f9a2c"
 * ```
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'kse';
  const suffix = `${process.pid.toString(36)}-${counter.toString(36)}-${randomBytes(3).toString('hex')}`;
  return `${clean}-${suffix}`.slice(0, 63);
}
