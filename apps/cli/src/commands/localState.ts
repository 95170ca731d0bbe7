import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import type { AwsConfig } from '@kse/local-stack';

/** Default state file of `kse local up`, relative to the current directory. */
export const DEFAULT_LOCAL_STATE_FILE = '.kse/local-stack.json';

/** What `kse local up` writes, and the other commands read. */
export interface LocalStackState {
  pid: number;
  region: string;
  endpoints: { kinesis: string; dynamodb: string; s3: string };
  credentials: { accessKeyId: string; secretAccessKey: string };
  ports: { kinesis: number; dynamodb: number; s3: number };
  startedAt: string;
  logFile: string;
  dataDir?: string;
}

/** The state file's content, or undefined when there is none (or it is not JSON). */
export function readState(file: string): LocalStackState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalStackState;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (ours or another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function portAnswers(endpoint: string): Promise<boolean> {
  const url = new URL(endpoint);
  return new Promise((done) => {
    const socket = connect(Number(url.port), url.hostname.replace(/^\[|\]$/g, ''));
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

/** The state of a stack that is up, or undefined (a stale file is not "up"). */
export async function runningState(file: string): Promise<LocalStackState | undefined> {
  const state = liveState(file);
  if (state === undefined) return undefined;
  return (await portAnswers(state.endpoints.kinesis)) ? state : undefined;
}

/** The state of a stack whose process is alive (no port probe), or undefined. */
export function liveState(file: string): LocalStackState | undefined {
  const state = readState(resolve(file));
  return state !== undefined && Number.isInteger(state.pid) && isAlive(state.pid)
    ? state
    : undefined;
}

function origin(endpoint: string): string | undefined {
  try {
    const url = new URL(endpoint);
    const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
    return `${url.protocol}//${host}:${url.port}`;
  } catch {
    return undefined;
  }
}

/**
 * The `kse local up` stack that `endpoints` point at, or undefined: every service has an
 * endpoint, each is one of the stack's (by origin), and the stack's process is alive.
 * Only such a stack, one kse itself started, is ever reset; a loopback endpoint is not
 * enough (an SSH tunnel, another tool's local AWS).
 */
export function kseStackAt(
  endpoints: AwsConfig['endpoints'],
  stateFile: string,
): LocalStackState | undefined {
  const state = liveState(stateFile);
  if (state === undefined) return undefined;
  const ours = new Set(Object.values(state.endpoints).map(origin));
  const given = [endpoints.kinesis, endpoints.dynamodb, endpoints.s3];
  return given.every((e) => e !== undefined && ours.has(origin(e))) ? state : undefined;
}

/** The AWS configuration that reaches a `kse local up` stack. */
export function stateConfig(state: LocalStackState): AwsConfig {
  return {
    region: state.region,
    endpoints: { ...state.endpoints },
    credentials: { ...state.credentials },
  };
}
