import { spawn } from 'node:child_process';
import { getCiphers } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LOCAL_CREDENTIALS } from '../aws/config.js';
import { LocalStackError, isLocalStackError, type LocalStackErrorCode } from '../errors.js';
import { FaultCounters } from '../faults/FaultCounters.js';
import type { FaultSpec } from '../faults/faultSpec.js';
import { startFaultProxy, type FaultProxy } from '../faults/startFaultProxy.js';
import {
  DEFAULT_LOCAL_STACK_OPTIONS,
  LOCAL_SERVICES,
  startEmulators,
  type LocalEmulators,
  type LocalService,
  type LocalStack,
  type LocalStackOptions,
} from './startLocalStack.js';

/**
 * True when this Node process can use DES, which s3rver needs for paginated listings:
 * it was started with `--openssl-legacy-provider` (or an OpenSSL config that loads it).
 */
export function hasLegacyOpenSslProvider(): boolean {
  return getCiphers().includes('des-cbc') || getCiphers().includes('des');
}

/** The first line a stack process prints on stdout. */
type ReadyLine =
  | { ready: { endpoints: LocalEmulators['endpoints']; pid: number } }
  | { error: { code: LocalStackErrorCode; message: string; setting?: string } };

/** Options of {@link serveLocalStack}. */
export interface ServeLocalStackOptions extends LocalStackOptions {
  /** Stop when stdin ends (the parent died or closed the pipe). */
  exitWithParent?: boolean;
  /** The emulators this process serves (default all of {@link LOCAL_SERVICES}). */
  services?: readonly LocalService[];
  /**
   * Put a fault proxy ({@link startFaultProxy}) in front of Kinesis and DynamoDB: the
   * endpoints handed out are the proxies'. The counts go to stderr when the stack stops.
   */
  faults?: FaultSpec;
}

/**
 * Runs the stack as the main job of this process (the body of {@link spawnLocalStack}'s
 * child): starts it, prints one JSON line on stdout, and stops it on SIGTERM / SIGINT
 * (or when stdin ends, with `exitWithParent`). `speedups: true` patches the emulators of
 * this process (see {@link LocalStackOptions.speedups}).
 */
export async function serveLocalStack(options: ServeLocalStackOptions = {}): Promise<void> {
  const { exitWithParent, services = LOCAL_SERVICES, faults, ...stackOptions } = options;
  let stack: LocalEmulators;
  try {
    stack = await startEmulators(services, stackOptions);
  } catch (error) {
    const line: ReadyLine = isLocalStackError(error)
      ? {
          error: {
            code: error.code,
            message: error.message,
            ...(error.setting ? { setting: error.setting } : {}),
          },
        }
      : { error: { code: 'KSE_STACK_START_FAILED', message: String(error) } };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    process.exitCode = 1;
    return;
  }
  const proxies = faults === undefined ? [] : await proxyEmulators(stack, faults);
  const endpoints = { ...stack.endpoints };
  for (const proxy of proxies) endpoints[proxy.service] = proxy.endpoint;
  const stop = (): void => {
    if (proxies.length > 0) {
      process.stderr.write(`faults: ${JSON.stringify(proxies[0]!.counters.snapshot())}\n`);
    }
    void Promise.all(proxies.map((proxy) => proxy.close()));
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.stdin.off('end', stop);
    process.stdin.pause();
    void stack.stop().then(
      () => undefined,
      (error: unknown) => {
        process.stderr.write(`stopping the local stack failed: ${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (exitWithParent) {
    process.stdin.once('end', stop);
    process.stdin.resume();
  }
  const line: ReadyLine = { ready: { endpoints, pid: process.pid } };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

// A fault proxy in front of each served emulator it speaks for (Kinesis, DynamoDB), one
// set of counters for all.
async function proxyEmulators(stack: LocalEmulators, spec: FaultSpec): Promise<FaultProxy[]> {
  const counters = new FaultCounters();
  const proxies: FaultProxy[] = [];
  for (const service of ['kinesis', 'dynamodb'] as const) {
    const upstream = stack.endpoints[service];
    if (upstream === undefined) continue;
    proxies.push(await startFaultProxy({ service, upstream, spec, counters }));
  }
  return proxies;
}

/**
 * Options of {@link spawnLocalStack}; the {@link LocalStackOptions}, `speedups` included,
 * go to each child process.
 */
export interface SpawnLocalStackOptions extends LocalStackOptions {
  /**
   * Outlive this process (for `kse local up`): the child is detached, in its own process
   * group, and stopped later by pid. Default false: it stops when this process exits.
   */
  detached?: boolean;
  /** File descriptor for the child's stderr (default: ignored). */
  stderrFd?: number;
  /** Give up waiting for it after this many ms (default 30 000). */
  startTimeoutMs?: number;
  /**
   * Serve Kinesis from one child process and DynamoDB + S3 from another, so that the two
   * busiest emulators (each single-threaded) run on different cores. Default false: one
   * child serves all three.
   */
  split?: boolean;
  /**
   * Extra Node.js flags for the child processes (for example `--max-old-space-size=512`
   * or `--cpu-prof`); `NODE_OPTIONS` of this process is not passed on.
   */
  nodeFlags?: readonly string[];
  /** Fault proxies in front of Kinesis and DynamoDB, in the children (see {@link ServeLocalStackOptions.faults}). */
  faults?: FaultSpec;
}

/** One child process of a {@link SpawnedLocalStack}, and the emulators it serves. */
export interface EmulatorProcess {
  pid: number;
  services: readonly LocalService[];
}

/** How a child process ended when nobody asked it to (see {@link SpawnedLocalStack.onExit}). */
export interface EmulatorExit extends EmulatorProcess {
  /** Exit code, when it exited. */
  code: number | null;
  /** The signal that ended it (e.g. `SIGKILL`), when one did. */
  signal: NodeJS.Signals | null;
}

/** A stack running in child processes. */
export interface SpawnedLocalStack extends LocalStack {
  /** Process id of the (first) child. */
  pid: number;
  /** Process ids of every child: one, or two with `split`. */
  pids: number[];
  /** Every child, with the services it serves. */
  processes: EmulatorProcess[];
  /**
   * Calls `listener` when a child ends without `stop()` having asked it to (killed, crashed):
   * its emulators no longer answer. Calls it at once for a child that has already ended so.
   * Not for a `detached` stack (its children outlive this process).
   */
  onExit(listener: (exit: EmulatorExit) => void): void;
}

/** How long a child gets to stop on SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;

/** The groups of services the children serve with `split`: Kinesis alone, the rest together. */
const SPLIT_GROUPS: readonly (readonly LocalService[])[] = [['kinesis'], ['dynamodb', 's3']];

/** One child process serving some emulators. */
interface EmulatorChild {
  pid: number;
  services: readonly LocalService[];
  endpoints: LocalEmulators['endpoints'];
  onExit(listener: (exit: EmulatorExit) => void): void;
  stop(): Promise<void>;
}

function thisModuleFile(): string {
  // CJS build: __filename; ESM build and vitest: import.meta.url.
  return typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
}

/**
 * The module a child imports to call {@link serveLocalStack}. From the TypeScript sources
 * (this package's own tests), this file. Built, this code may sit in the main entry, in a
 * chunk the build shares between the main and the `testing` entries, or in a copy inside
 * the `testing` entry, none of which but the first exports `serveLocalStack`: the child
 * imports the package's main entry, found by its own name (Node resolves a package's name
 * from inside it through its `exports`). Bundled into something else, where that name
 * resolves to nothing, this file.
 */
function childEntry(): string {
  const file = thisModuleFile();
  if (file.endsWith('.ts')) return file;
  try {
    return createRequire(file).resolve('@kse/local-stack');
  } catch {
    return file;
  }
}

/**
 * Starts the stack in a child Node process run with `--openssl-legacy-provider`, so
 * that every S3 listing works whatever flags this process has (with `split`: in two
 * children, Kinesis in one, DynamoDB and S3 in the other). Used by `kse local up`, by
 * `kse run` and by the vitest harness when this process lacks the legacy provider, each
 * with `speedups: true`, which patches the emulators of the children (not of this process).
 *
 * @example
 * ```ts
 * const stack = await spawnLocalStack({ split: true, speedups: true });
 * console.log(stack.endpoints.kinesis, stack.pids);
 * await stack.stop();
 * ```
 */
export async function spawnLocalStack(
  options: SpawnLocalStackOptions = {},
): Promise<SpawnedLocalStack> {
  const {
    detached = false,
    stderrFd,
    startTimeoutMs = 30_000,
    split = false,
    nodeFlags = [],
    ...stackOptions
  } = options;
  const { region } = { ...DEFAULT_LOCAL_STACK_OPTIONS, ...stackOptions };
  const groups = split ? SPLIT_GROUPS : [LOCAL_SERVICES];
  const settled = await Promise.allSettled(
    groups.map((services) =>
      spawnEmulatorChild(
        { ...stackOptions, services, exitWithParent: !detached },
        { detached, stderrFd, startTimeoutMs, nodeFlags },
      ),
    ),
  );
  const children = settled.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.allSettled(children.map((child) => child.stop()));
    throw failed.reason;
  }
  const endpoints = Object.assign(
    {},
    ...children.map((child) => child.endpoints),
  ) as LocalStack['endpoints'];
  const credentials = { ...LOCAL_CREDENTIALS };
  let stopped: Promise<void> | undefined;
  return {
    pid: children[0]!.pid,
    pids: children.map((child) => child.pid),
    processes: children.map((child) => ({ pid: child.pid, services: child.services })),
    onExit: (listener) => {
      for (const child of children) child.onExit(listener);
    },
    endpoints,
    region,
    credentials,
    config: { region, endpoints: { ...endpoints }, credentials: { ...credentials } },
    stop: () =>
      (stopped ??= Promise.all(children.map((child) => child.stop())).then(() => undefined)),
  };
}

async function spawnEmulatorChild(
  serveOptions: ServeLocalStackOptions,
  how: {
    detached: boolean;
    stderrFd: number | undefined;
    startTimeoutMs: number;
    nodeFlags: readonly string[];
  },
): Promise<EmulatorChild> {
  const { detached, stderrFd, startTimeoutMs, nodeFlags } = how;
  const file = childEntry();
  const fromSource = file.endsWith('.ts');
  const code =
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)});` +
    `await m.serveLocalStack(JSON.parse(process.argv[1]));`;
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      ...nodeFlags,
      // Running from TypeScript sources (this package's own tests): let tsx load them.
      ...(fromSource ? ['--import', 'tsx'] : []),
      '--no-warnings',
      '--input-type=module',
      '-e',
      code,
      JSON.stringify(serveOptions),
    ],
    {
      cwd: dirname(file),
      detached,
      stdio: [detached ? 'ignore' : 'pipe', 'pipe', stderrFd ?? 'ignore'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  const line = await new Promise<ReadyLine>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new LocalStackError('KSE_STACK_START_FAILED', `no answer within ${startTimeoutMs} ms`),
      );
    }, startTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffer.slice(0, end)) as ReadyLine);
      } catch (cause) {
        reject(new LocalStackError('KSE_STACK_START_FAILED', `bad answer: ${buffer}`, { cause }));
      }
    });
    child.once('error', (cause) => {
      clearTimeout(timer);
      reject(new LocalStackError('KSE_STACK_START_FAILED', cause.message, { cause }));
    });
    child.once('exit', (exitCode, signal) => {
      clearTimeout(timer);
      reject(
        new LocalStackError(
          'KSE_STACK_START_FAILED',
          `the stack process exited (${signal ?? exitCode}) before it was ready`,
        ),
      );
    });
  });
  child.stdout!.destroy();
  if ('error' in line) {
    throw new LocalStackError(line.error.code, line.error.message.replace(/^KSE_[A-Z_]+: /, ''), {
      ...(line.error.setting ? { setting: line.error.setting } : {}),
    });
  }
  child.removeAllListeners('exit');
  const services = serveOptions.services ?? LOCAL_SERVICES;
  const pid = line.ready.pid;
  let stopped: Promise<void> | undefined;
  let unexpected: EmulatorExit | undefined;
  const listeners: ((exit: EmulatorExit) => void)[] = [];
  const exited = new Promise<void>((resolve) => {
    const onEnd = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (stopped === undefined) {
        unexpected = { pid, services, code, signal };
        for (const listener of listeners) listener(unexpected);
      }
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) {
      onEnd(child.exitCode, child.signalCode);
    } else child.once('exit', onEnd);
  });
  if (detached) child.unref();
  return {
    pid,
    services,
    endpoints: line.ready.endpoints,
    onExit: (listener) => {
      if (unexpected !== undefined) listener(unexpected);
      else listeners.push(listener);
    },
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          // A stopped (SIGSTOP) or hung child never handles SIGTERM: kill it after a while.
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          await exited;
          clearTimeout(timer);
        }
      })()),
  };
}
