import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The built CLI (`nx test` builds it first). */
export const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');

/**
 * An environment for a child `kse`: this one without any `AWS_*` variable, with a
 * TMPDIR of its own (so that the test can check what it left there), plus `extra`.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; tmp: string } {
  const tmp = mkdtempSync(join(tmpdir(), 'kse-child-tmp-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value;
  }
  return { env: { ...env, TMPDIR: tmp, ...extra }, tmp };
}

/** The `kse-run-*` and `kse-stack-*` (and other `kse-*`) entries left in a TMPDIR. */
export function kseTempDirs(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('kse-'));
}

/** A child `kse` whose output is collected as it comes. */
export interface KseChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once `pattern` appears in stdout or stderr. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (128 + n for a signal). */
  exited: Promise<number>;
}

/** Starts the built CLI with `args` (stdin closed: not a terminal). */
export function startKse(args: string[], env: NodeJS.ProcessEnv): KseChild {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters]) {
      if (w.pattern.test(out) || w.pattern.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
    check();
  });
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 128)));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}:\n${out}\n${err}`)),
          timeoutMs,
        );
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push({ pattern, resolve: done });
        check();
        void exited.then(() => {
          if (waiters.some((w) => w.resolve === done)) {
            clearTimeout(timer);
            reject(new Error(`kse exited before ${pattern}:\n${out}\n${err}`));
          }
        });
      }),
  };
}

/** Runs the built CLI to the end. */
export async function runKse(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const kse = startKse(args, env);
  const code = await kse.exited;
  return { code, stdout: kse.stdout(), stderr: kse.stderr() };
}

/** A loopback HTTP server that answers 500 to everything and records each request. */
export interface Trap {
  url: string;
  requests: { method: string; url: string; host: string }[];
  close(): Promise<void>;
}

/** Starts a {@link Trap}: an AWS endpoint that must never be called. */
export async function startTrap(): Promise<Trap> {
  const requests: Trap['requests'] = [];
  const server = createHttpServer((req: IncomingMessage, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '' });
    req.resume();
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"trap"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
