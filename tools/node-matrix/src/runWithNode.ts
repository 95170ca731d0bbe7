import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import type { NodeBinary } from './nodeBinary.js';

/**
 * `env` with `binary` first on PATH, and the variables npm uses to remember its Node
 * (`NODE`, `npm_node_execpath`) pointing at it. Every `#!/usr/bin/env node` script then runs on
 * that Node (npm, nx, vitest, tsx), and every child they start with `process.execPath` too.
 */
export function nodeEnvironment(binary: string, env: NodeJS.ProcessEnv = process.env) {
  const dir = path.dirname(binary);
  const rest = (env.PATH ?? '').split(path.delimiter).filter((entry) => entry && entry !== dir);
  return {
    ...env,
    PATH: [dir, ...rest].join(path.delimiter),
    NODE: binary,
    npm_node_execpath: binary,
  };
}

/**
 * Set by {@link runWithNode} to the version it runs the command on (`v24.22.3`), so that a
 * test deep in the command's process tree can check it runs on that Node
 * (`tests/matrixNode.test.ts` does, through nx, npm and vitest).
 */
export const MATRIX_NODE_VERSION_ENV = 'KSE_NODE_MATRIX_VERSION';

/** The version that `node` on the PATH of `env` reports (`v22.23.5`). */
export function nodeOnPath(env: NodeJS.ProcessEnv): string {
  return execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim();
}

/** How a command run by {@link runWithNode} ended. */
export interface NodeRunResult {
  node: NodeBinary;
  /** Exit code, or `null` when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
}

/**
 * Runs `command args…` (output inherited) with `node` first on PATH. Fails before starting it
 * if `node` on that PATH is not the expected version.
 *
 * @example
 * ```ts
 * const result = await runWithNode(await ensureNode('22'), 'npx', ['nx', 'run-many', '-t', 'test']);
 * ```
 */
export async function runWithNode(
  node: NodeBinary,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<NodeRunResult> {
  const env = {
    ...nodeEnvironment(node.path, options.env),
    [MATRIX_NODE_VERSION_ENV]: `v${node.version}`,
  };
  const onPath = nodeOnPath(env);
  if (onPath !== `v${node.version}`) {
    throw new Error(`node on PATH is ${onPath}, expected v${node.version} (${node.path})`);
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Looked up on the new PATH: a node_modules/.bin script or a system command.
    const child = spawn(command, args, { cwd: options.cwd, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (exitCode, signal) =>
      resolve({ node, exitCode, signal, durationMs: performance.now() - started }),
    );
  });
}
