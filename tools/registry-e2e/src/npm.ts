import { execFile } from 'node:child_process';

/** Options of {@link runNpm}. */
export interface RunNpmOptions {
  /** Working directory of the npm process. */
  cwd: string;
  /** Kills npm after this many milliseconds. */
  timeoutMs?: number;
  /** Extra environment variables (on top of {@link cleanNpmEnv}). */
  env?: NodeJS.ProcessEnv;
  /** Executable to run; `npm` unless told otherwise (e.g. `node`). */
  command?: string;
}

/** Defaults of {@link RunNpmOptions}. */
export const DEFAULT_RUN_NPM_OPTIONS = {
  timeoutMs: 300_000,
  command: 'npm',
} satisfies Partial<RunNpmOptions>;

/** What a finished child process printed. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

// npm exports its whole configuration to the scripts it runs (`npm test` -> nx -> vitest),
// e.g. `npm_config_local_prefix=/work/main` or `npm_config_workspace=...`. A child npm
// would inherit them and act on the workspace instead of the temp project. Only settings
// that describe how to reach the network (a registry mirror, a proxy, a CA) are kept.
const KEPT_NPM_CONFIG = new Set([
  'npm_config_registry',
  'npm_config_cafile',
  'npm_config_ca',
  'npm_config_strict_ssl',
  'npm_config_proxy',
  'npm_config_https_proxy',
  'npm_config_http_proxy',
  'npm_config_noproxy',
  'npm_config_cache',
]);

/**
 * The current environment without the `npm_*` variables a parent npm script exports,
 * except the network settings (registry, proxy, CA, cache).
 */
export function cleanNpmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') && !KEPT_NPM_CONFIG.has(lower)) continue;
    if (lower === 'init_cwd' || lower === 'nx_task_target_project') continue;
    clean[key] = value;
  }
  clean.npm_config_update_notifier = 'false';
  clean.npm_config_fund = 'false';
  clean.npm_config_audit = 'false';
  return clean;
}

/**
 * Runs `npm <args>` (or another command) asynchronously, so that an in-process registry
 * keeps serving while npm talks to it. Rejects with npm's output when it exits non-zero.
 */
export function runNpm(args: readonly string[], options: RunNpmOptions): Promise<RunResult> {
  const { cwd, timeoutMs, env, command } = { ...DEFAULT_RUN_NPM_OPTIONS, ...options };
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd,
        env: { ...cleanNpmEnv(), ...env },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${command} ${args.join(' ')} failed in ${cwd}: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
              { cause: error },
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}
