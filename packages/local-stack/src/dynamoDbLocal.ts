import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from './clients.js';
import { DEFAULT_REGION, LOCAL_CREDENTIALS } from './config.js';
import { LocalStackError } from './errors.js';
import { pollUntil } from './poll.js';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** Path of `DynamoDBLocal.jar` (default: the one inside `amplify-dynamodb-simulator`). */
  jarPath?: string;
  /** `java` executable (default `java` on the PATH). */
  java?: string;
  /** Maximum Java heap (default `256m`). */
  heap?: string;
  host?: string;
  /** Default: a free port. */
  port?: number;
  /** How long to wait for it to answer (default 180 000 ms; the JVM is slow to start on a busy machine). */
  startTimeoutMs?: number;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

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

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the official DynamoDB Local (Java) with `-inMemory -sharedDb` and a capped heap,
 * for conformance runs of DynamoDB behaviour.
 */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  const jarPath = options.jarPath ?? findDynamoDbLocalJar();
  if (jarPath === undefined || !existsSync(jarPath)) {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      `jarPath: DynamoDBLocal.jar not found (${jarPath ?? 'install amplify-dynamodb-simulator'})`,
      { setting: 'jarPath' },
    );
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const child: ChildProcess = spawn(
    options.java ?? 'java',
    [
      `-Xmx${options.heap ?? '256m'}`,
      `-Djava.library.path=${join(dirname(jarPath), 'DynamoDBLocal_lib')}`,
      '-jar',
      jarPath,
      '-inMemory',
      '-sharedDb',
      '-port',
      String(port),
    ],
    { cwd: dirname(jarPath), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const endpoint = `http://${host}:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const client = createDynamoDbClient(
    { region: DEFAULT_REGION, endpoints: { dynamodb: endpoint }, credentials: LOCAL_CREDENTIALS },
    { maxAttempts: 1, requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 } },
  );
  try {
    await pollUntil(
      'DynamoDB Local did not answer',
      endpoint,
      async () => {
        if (spawnError || child.exitCode !== null) {
          throw new LocalStackError(
            'KSE_STACK_START_FAILED',
            `DynamoDB Local exited: ${spawnError?.message ?? stderr}`,
            { cause: spawnError },
          );
        }
        try {
          await client.send(new ListTablesCommand({}));
          return true;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: options.startTimeoutMs ?? 180_000, intervalMs: 100, maxIntervalMs: 250 },
    );
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}
