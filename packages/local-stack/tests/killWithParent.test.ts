import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../src/aws/poll.js';

const packageDir = resolve(import.meta.dirname, '..');

/** True while `pid` runs (a zombie waiting to be reaped counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Starts a Node process that starts `sleep 300` guarded by killWithParent, prints the
 * sleep's pid, then does what `then` says.
 */
async function guardedSleep(then: string): Promise<{ parent: number; sleeper: number }> {
  const script = `
    import { spawn } from 'node:child_process';
    import { killWithParent } from './src/emulators/killWithParent.ts';
    const sleeper = spawn('sleep', ['300'], { stdio: 'ignore' });
    killWithParent(sleeper);
    process.stdout.write(sleeper.pid + '\\n');
    ${then}
  `;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--no-warnings', '--input-type=module', '-e', script],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const sleeper = await new Promise<number>((done, fail) => {
    child.stdout.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim())));
    child.once('exit', (code) => fail(new Error(`guard script exited early (${code})`)));
  });
  return { parent: child.pid!, sleeper };
}

describe('killWithParent', () => {
  it('kills the guarded child when the parent is killed with SIGKILL', async () => {
    const { parent, sleeper } = await guardedSleep('setInterval(() => {}, 1000);');
    expect(isRunning(sleeper)).toBe(true);
    process.kill(parent, 'SIGKILL');
    await pollUntil(
      'sleeper still running',
      String(sleeper),
      async () => (isRunning(sleeper) ? undefined : true),
      { timeoutMs: 20_000 },
    );
    expect(isRunning(sleeper)).toBe(false);
  }, 30_000);

  it('kills the guarded child when the parent exits with an error', async () => {
    const { sleeper } = await guardedSleep("setTimeout(() => { throw new Error('boom'); }, 50);");
    await pollUntil(
      'sleeper still running',
      String(sleeper),
      async () => (isRunning(sleeper) ? undefined : true),
      { timeoutMs: 20_000 },
    );
    expect(isRunning(sleeper)).toBe(false);
  }, 30_000);
});
