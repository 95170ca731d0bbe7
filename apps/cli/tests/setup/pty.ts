import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** util-linux's `script`, from Debian's `bsdutils` package: runs a command under a pty. */
export const SCRIPT = '/usr/bin/script';

/**
 * Makes sure `script` is installed: `apt-get install -y bsdutils` when /usr/bin/script is
 * missing (a fresh machine or a slim image), as tests/setup/chromium.ts does for Chromium.
 * Returns the binary's path.
 */
export async function ensureScript(): Promise<string> {
  if (existsSync(SCRIPT)) return SCRIPT;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 * 1024 * 1024 });
  await run('apt-get', ['install', '-y', '-qq', 'bsdutils'], { env, maxBuffer: 64 * 1024 * 1024 });
  if (!existsSync(SCRIPT)) throw new Error(`apt-get install bsdutils did not provide ${SCRIPT}`);
  return SCRIPT;
}

/**
 * Runs `command` (a shell command line) under a pseudo-terminal of `columns` × `rows`,
 * and returns everything it wrote, escape sequences included, and its exit code.
 */
export async function runInPty(
  command: string,
  options: {
    columns: number;
    rows?: number;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    /** Typed on the terminal (the pty buffers it until the command reads). */
    input?: string;
  },
): Promise<{ output: string; code: number }> {
  const script = await ensureScript();
  const line = `stty cols ${options.columns} rows ${options.rows ?? 50}; exec ${command}`;
  try {
    // -e: script exits with the command's code; -q: no "Script started" lines.
    const running = run(script, ['-qfec', line, '/dev/null'], {
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 170_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (options.input !== undefined) running.child.stdin?.write(options.input);
    const { stdout } = await running;
    return { output: stdout, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; code?: number };
    if (typeof failed.code !== 'number') throw error;
    return { output: failed.stdout ?? '', code: failed.code };
  }
}

/**
 * The lines a terminal shows for `output`: split at newlines and carriage returns (a
 * redraw starts over), with colour and cursor escape sequences removed.
 */
export function screenLines(output: string): string[] {
  return output
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .split(/\r\n|\n|\r/)
    .filter((line) => line !== '');
}
