import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How long apt-get waits for another apt-get (a parallel test worker) to let go of its lock. */
const APT_LOCK_TIMEOUT_S = 600;

/**
 * Makes sure the system tool at `path` is installed, installing the Debian package
 * `debianPackage` (`apt-get update`, then `apt-get install -y`) when it is missing: a fresh
 * machine or CI image gets what the tests drive, and a machine that cannot install it
 * (no apt-get, not root, no network) fails the test loudly with the command to run —
 * never a skip that could hide a gap. Returns `path`.
 *
 * Test files run in parallel workers, so two may install at once: apt-get waits for the
 * other's lock instead of failing.
 *
 * @example
 * ```ts
 * const aws = await ensureDebianTool('/usr/bin/aws', 'awscli');
 * ```
 */
export async function ensureDebianTool(path: string, debianPackage: string): Promise<string> {
  if (existsSync(path)) return path;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, maxBuffer: 64 * 1024 * 1024 };
  const lock = ['-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_S}`];
  try {
    await run('apt-get', [...lock, 'update', '-qq'], options);
    await run('apt-get', [...lock, 'install', '-y', '-qq', debianPackage], options);
  } catch (error) {
    throw new Error(
      `${path} is missing and \`apt-get install ${debianPackage}\` failed; install the ` +
        `Debian package ${debianPackage} (as root) and run the tests again: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!existsSync(path)) {
    throw new Error(`apt-get install ${debianPackage} did not provide ${path}`);
  }
  return path;
}
