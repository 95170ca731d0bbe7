import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describeError } from '@kse/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createDynamoDbClient } from '../aws/clients.js';
import { DEFAULT_REGION, LOCAL_CREDENTIALS } from '../aws/config.js';
import { pollUntil } from '../aws/poll.js';
import { LocalStackError } from '../errors.js';
import { classDataLaunch, defaultClassDataArchiveDir } from './classDataArchive.js';
import { killWithParent } from './killWithParent.js';
import { freePort } from './ports.js';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** Path of `DynamoDBLocal.jar` (default: the one inside `amplify-dynamodb-simulator`). */
  jarPath?: string;
  /** `java` executable (default `java` on the PATH). */
  java?: string;
  /** Maximum Java heap, `-Xmx` (default `128m`; tables live in SQLite's native memory). */
  heap?: string;
  /** Host of the returned endpoint (DynamoDB Local itself listens on every interface). */
  host?: string;
  /** Default: a free port. */
  port?: number;
  /** How long to wait for it to answer (default 180 000 ms; the JVM is slow to start on a busy machine). */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL (default 10 000 ms). */
  stopTimeoutMs?: number;
  /** JVM flags before the heap flag (default {@link DYNAMODB_LOCAL_JVM_FLAGS}). */
  jvmFlags?: readonly string[];
  /**
   * Folder of the application class-data sharing archive (default
   * `<os tmpdir>/kse-dynamodb-local`): the first run writes it as the JVM exits (that
   * `stop()` takes some seconds longer), later runs start with about 40% less CPU.
   * `false`: none.
   */
  classDataArchiveDir?: string | false;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  endpoint: string;
  /** Process id of the JVM. */
  pid: number;
  /** Stops the JVM (SIGTERM, then SIGKILL after `stopTimeoutMs`); idempotent. */
  stop(): Promise<void>;
}

/**
 * JVM flags for a fast start of a short-lived DynamoDB Local: C1 compiler only, serial GC,
 * no perf-data file. On a loaded 2-core machine they halve the CPU time to the first
 * answer (8.0 s → 3.5–4.4 s) against the JVM's defaults.
 */
export const DYNAMODB_LOCAL_JVM_FLAGS = Object.freeze([
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-XX:-UsePerfData',
  '-Xshare:auto',
]);

/** Defaults of {@link DynamoDbLocalOptions}. */
export const DEFAULT_DYNAMODB_LOCAL_OPTIONS = {
  heap: '128m',
  host: '127.0.0.1',
  startTimeoutMs: 180_000,
  stopTimeoutMs: 10_000,
} satisfies Partial<DynamoDbLocalOptions>;

/**
 * Finds `DynamoDBLocal.jar` inside the `amplify-dynamodb-simulator` npm package, looking
 * from `fromDir` (default the current directory) and from this module.
 */
export function findDynamoDbLocalJar(fromDir: string = process.cwd()): string | undefined {
  const bases = [join(fromDir, 'noop.js')];
  if (typeof __filename === 'string') bases.push(__filename);
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve('amplify-dynamodb-simulator/package.json');
      const jar = join(dirname(pkg), 'emulator', 'DynamoDBLocal.jar');
      if (existsSync(jar)) return jar;
    } catch {
      // not resolvable from here
    }
  }
  return undefined;
}

/** Network errors that only mean "the JVM is not listening/answering yet". */
const NOT_READY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * True when a failed readiness probe means "not up yet" (connection refused or reset, a
 * timeout, a 5xx while starting); false for anything else, e.g. a signing or credentials
 * error, which no amount of waiting fixes.
 */
export function isDynamoDbLocalStarting(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: string;
    code?: string;
    cause?: { code?: string };
    $metadata?: { httpStatusCode?: number };
  };
  if (e.code !== undefined && NOT_READY_CODES.has(e.code)) return true;
  if (e.cause?.code !== undefined && NOT_READY_CODES.has(e.cause.code)) return true;
  if (e.name === 'TimeoutError') return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * Starts the official DynamoDB Local (Java) with `-inMemory -sharedDb -disableTelemetry`
 * and a capped heap, for conformance runs of DynamoDB behaviour, and waits until it
 * answers `ListTables` through the AWS SDK. The JVM is killed on `stop()`, on a failed
 * start and when this process exits.
 *
 * @example
 * ```ts
 * const ddb = await startDynamoDbLocal();
 * try {
 *   const dynamodb = createDynamoDbClient({ region: 'us-east-1', endpoints: { dynamodb: ddb.endpoint },
 *     credentials: { ...LOCAL_CREDENTIALS } });
 *   await ensureTable(dynamodb, { tableName: 'Orders', partitionKey: { name: 'id', type: 'S' } });
 * } finally {
 *   await ddb.stop();
 * }
 * ```
 */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  const { heap, host, startTimeoutMs, stopTimeoutMs } = {
    ...DEFAULT_DYNAMODB_LOCAL_OPTIONS,
    ...options,
  };
  const jarPath = options.jarPath ?? findDynamoDbLocalJar();
  if (jarPath === undefined || !existsSync(jarPath)) {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      `jarPath: DynamoDBLocal.jar not found (${jarPath ?? 'install amplify-dynamodb-simulator'})`,
      { setting: 'jarPath' },
    );
  }
  const port = options.port ?? (await freePort(host));
  const java = options.java ?? 'java';
  const jvmFlags = options.jvmFlags ?? DYNAMODB_LOCAL_JVM_FLAGS;
  const launch = classDataLaunch(
    jarPath,
    java,
    jvmFlags,
    options.classDataArchiveDir ?? defaultClassDataArchiveDir(),
  );
  const child: ChildProcess = spawn(
    java,
    [
      ...jvmFlags,
      `-Xmx${heap}`,
      `-Djava.library.path=${join(dirname(jarPath), 'DynamoDBLocal_lib')}`,
      ...launch.args,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: dirname(jarPath), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const disarm = killWithParent(child);
  void exited.then(() => {
    disarm();
    launch.finish(child.signalCode === null && spawnError === undefined);
  });

  const endpoint = `http://${host}:${port}`;
  let stopping: Promise<void> | undefined;
  // SIGTERM lets the JVM write its class-data archive; `kill` (a failed start) does not,
  // so no archive of a half-started JVM is kept.
  const stop = (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && spawnError === undefined) {
        child.kill(signal);
        // Writing the archive takes seconds (tens on a busy machine).
        const timeoutMs = launch.dumping ? Math.max(stopTimeoutMs, 120_000) : stopTimeoutMs;
        const timer = delay(timeoutMs, 'timeout' as const, { ref: false });
        if ((await Promise.race([exited, timer])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      }
      disarm();
    })();
    return stopping;
  };

  const client = createDynamoDbClient(
    {
      region: DEFAULT_REGION,
      endpoints: { dynamodb: endpoint },
      credentials: { ...LOCAL_CREDENTIALS },
    },
    {
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: 2_000,
        // The first request after start loads many classes: seconds on a busy machine.
        requestTimeout: 30_000,
        throwOnRequestTimeout: true,
      }),
    },
  );
  let lastError: unknown;
  try {
    await pollUntil(
      'DynamoDB Local did not answer',
      endpoint,
      async () => {
        if ((spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
          throw new LocalStackError(
            'KSE_STACK_START_FAILED',
            `Java not found: DynamoDB Local needs Java ≥ 17, and "${java}" could not be run (${spawnError!.message}); install a JDK 17 or pass the java option`,
            { cause: spawnError, resource: endpoint },
          );
        }
        if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
          throw new LocalStackError(
            'KSE_STACK_START_FAILED',
            `DynamoDB Local exited (${spawnError?.message ?? `code ${child.exitCode ?? child.signalCode}`}): ${output.trim()}`,
            { cause: spawnError, resource: endpoint },
          );
        }
        try {
          await client.send(new ListTablesCommand({}));
          return true;
        } catch (error) {
          if (!isDynamoDbLocalStarting(error)) {
            throw new LocalStackError(
              'KSE_STACK_START_FAILED',
              `DynamoDB Local rejected the readiness probe (ListTables): ${describeError(error)}`,
              { cause: error, resource: endpoint },
            );
          }
          lastError = error;
          return undefined;
        }
      },
      { timeoutMs: startTimeoutMs, intervalMs: 100, maxIntervalMs: 250 },
    );
  } catch (error) {
    await stop('SIGKILL');
    if (error instanceof LocalStackError && error.code === 'KSE_RESOURCE_TIMEOUT') {
      throw new LocalStackError(
        'KSE_STACK_START_FAILED',
        `DynamoDB Local did not answer within ${startTimeoutMs} ms (last probe error: ${describeError(lastError)}); output: ${output.trim()}`,
        { cause: lastError, resource: endpoint, retryable: true },
      );
    }
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, pid: child.pid!, stop: () => stop() };
}
