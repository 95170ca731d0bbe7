import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDebianTool } from './debianTool.js';

const run = promisify(execFile);

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Makes sure headless Chromium is installed (Debian's `chromium` package, installed when
 * /usr/bin/chromium is missing: CI images and fresh machines). Returns the binary's path.
 */
export function ensureChromium(): Promise<string> {
  return ensureDebianTool(CHROMIUM, 'chromium');
}

/** Flags for a quiet, offline, throw-away headless Chromium. */
const HEADLESS_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Opens `file` in headless Chromium with a fresh profile and returns what it printed
 * (`--dump-dom`: the DOM after scripts ran), or writes a screenshot with `screenshot`.
 */
export async function headlessChromium(
  file: string,
  mode: { dumpDom: true } | { screenshot: string; windowSize?: string },
): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'kse-chromium-'));
  try {
    const args = [...HEADLESS_FLAGS, `--user-data-dir=${profile}`];
    if ('dumpDom' in mode) args.push('--dump-dom');
    else
      args.push(
        `--screenshot=${mode.screenshot}`,
        `--window-size=${mode.windowSize ?? '1000,1400'}`,
      );
    args.push(`file://${file}`);
    const { stdout } = await run(CHROMIUM, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
