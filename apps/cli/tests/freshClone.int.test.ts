import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README's first commands, as a new user runs them: a fresh clone of this commit in a
// temporary directory, `npm ci` (from the machine's npm cache), `npx kse --help`, then
// `npm start` with the AWS settings most AWS users have in their shell. It tests the
// committed HEAD: uncommitted changes are not in the clone.

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const NET_TRAP = join(import.meta.dirname, 'setup', 'netTrap.mjs');
const MINUTE = 60_000;

/** Hosts that are this machine. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1']);

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (or `timeoutMs`, then SIGKILL) and returns what it did. */
function runTo(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', fail);
    child.once('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/**
 * The environment of a new user's shell: no Nx, npm, vitest or AWS variables inherited
 * from this test run, no `node_modules/.bin` of this checkout on the PATH; the machine's
 * npm cache (HOME) kept. npm neither checks for its own updates nor installs a package
 * that `npx` does not find locally (either would reach the registry).
 */
function userEnv(): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.includes('node_modules'))
    .join(delimiter);
  const env: NodeJS.ProcessEnv = {
    PATH: path,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_yes: 'false',
  };
  if (process.env.TMPDIR !== undefined) env.TMPDIR = process.env.TMPDIR;
  return env;
}

const describeRan = (ran: Ran): string =>
  `exit ${ran.code}${ran.signal === null ? '' : ` (${ran.signal})`}\n--- stdout\n${ran.stdout.slice(-4000)}\n--- stderr\n${ran.stderr.slice(-4000)}`;

describe('a fresh clone: npm ci, npx kse --help, npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kse-fresh-clone-'));
  const clone = join(dir, 'kse');

  beforeAll(async () => {
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
    execFileSync('git', ['clone', '--quiet', '--no-checkout', ROOT, clone]);
    execFileSync('git', ['-C', clone, 'checkout', '--quiet', head.trim()]);
    const installed = await runTo('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: clone,
      env: userEnv(),
      timeoutMs: 20 * MINUTE,
    });
    expect(installed.code, describeRan(installed)).toBe(0);
  }, 21 * MINUTE);

  // The clone holds a whole node_modules: removing it takes a while on a busy machine.
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  }, 10 * MINUTE);

  it(
    'npx kse --help exits 0 and prints the usage (the bin exists from npm ci on)',
    async () => {
      expect(existsSync(join(clone, 'apps', 'cli', 'dist', 'main.js'))).toBe(false);
      const help = await runTo('npx', ['kse', '--help'], {
        cwd: clone,
        env: userEnv(),
        timeoutMs: 15 * MINUTE,
      });
      expect(help.code, describeRan(help)).toBe(0);
      expect(help.stdout).toMatch(/^Usage: kse \[options\] \[command\]/);
      for (const command of ['generate', 'replay', 'run', 'verify', 'local']) {
        expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      }
    },
    16 * MINUTE,
  );

  it(
    'npm start with AWS_REGION, AWS_PROFILE and keys set runs locally, exact, and connects to loopback only',
    async () => {
      // A profile and keys that look real, so that a run that went to AWS would try to.
      const config = join(dir, 'aws-config');
      const credentials = join(dir, 'aws-credentials');
      writeFileSync(config, '[profile kse-fresh]\nregion = us-east-1\n');
      writeFileSync(
        credentials,
        '[kse-fresh]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n' +
          'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
      );
      const connections = join(dir, 'connections.txt');
      writeFileSync(connections, '');
      const started = await runTo('npm', ['start', '--', '--orders', '300'], {
        cwd: clone,
        env: {
          ...userEnv(),
          AWS_REGION: 'us-east-1',
          AWS_PROFILE: 'kse-fresh',
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: credentials,
          // Every Node process npm start runs (npm, Nx, the build, kse and its emulators)
          // records each connection it opens.
          // (A file: URL: NODE_OPTIONS splits on spaces, and a URL has none.)
          NODE_OPTIONS: `--import ${pathToFileURL(NET_TRAP).href}`,
          KSE_NET_TRAP_FILE: connections,
        },
        timeoutMs: 15 * MINUTE,
      });

      const targets = readFileSync(connections, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split(' ').slice(1));
      const remote = targets
        .filter(([host]) => host !== 'pipe' && !LOOPBACK.has(host!))
        .map((target) => target.join(' '));
      expect(remote, `connections to hosts that are not loopback; ${describeRan(started)}`).toEqual(
        [],
      );
      // The trap saw the run's own traffic: the emulators on loopback ports.
      expect(targets.filter(([host]) => host !== 'pipe').length).toBeGreaterThan(0);
      expect(started.stdout, describeRan(started)).toMatch(/^EXACT/m);
      expect(started.stdout).toMatch(/expected\s+600\n\s+landed\s+600\n/);
      expect(started.code, describeRan(started)).toBe(0);
    },
    16 * MINUTE,
  );
});
