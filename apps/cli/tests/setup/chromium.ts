import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
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

/** A page open in headless Chromium, driven through the DevTools protocol. */
export interface ChromiumPage {
  /** Evaluates `expression` in the page (promises awaited) and returns its value as JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /** Moves the mouse to (x, y), CSS pixels of the viewport, as a user's mouse would. */
  mouseMove(x: number, y: number): Promise<void>;
  /** Every URL the page requested (the page's own file:// URL first). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/**
 * Opens `file` in headless Chromium with a fresh profile and drives it through the
 * DevTools protocol over a pipe (`--remote-debugging-pipe`: no port, no WebSocket):
 * evaluates JavaScript, moves the mouse, records the requests the page makes. Resolves
 * once the page has loaded.
 */
export async function openInChromium(
  file: string,
  options: { width?: number; height?: number; timeoutMs?: number } = {},
): Promise<ChromiumPage> {
  const width = options.width ?? 1200;
  const height = options.height ?? 900;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const profile = await mkdtemp(join(tmpdir(), 'kse-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      ...HEADLESS_FLAGS,
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      `--window-size=${width},${height}`,
      'about:blank',
    ],
    // Chromium reads the protocol from fd 3 and writes it to fd 4.
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const toChrome = child.stdio[3] as Writable;
  const fromChrome = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const requests: string[] = [];
  let nextId = 0;
  let buffer = '';
  let exited = false;
  const failAll = (error: Error): void => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  child.once('exit', (code, signal) => {
    exited = true;
    failAll(new Error(`chromium exited (${signal ?? code}) while driven`));
  });
  fromChrome.setEncoding('utf8');
  fromChrome.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\0'); end >= 0; end = buffer.indexOf('\0')) {
      const message = JSON.parse(buffer.slice(0, end)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: { request?: { url: string } };
      };
      buffer = buffer.slice(end + 1);
      if (message.method === 'Network.requestWillBeSent') {
        requests.push(message.params!.request!.url);
      }
      if (message.id === undefined) continue;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
    }
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error('chromium has exited'));
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`chromium did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      toChrome.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
    });
  const close = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      await send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const { targetId } = await send<{ targetId: string }>('Target.createTarget', {
      url: 'about:blank',
    });
    const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    const evaluate = async <T>(expression: string): Promise<T> => {
      const answer = await send<{
        result: { value?: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
      if (answer.exceptionDetails !== undefined) {
        const d = answer.exceptionDetails;
        throw new Error(`in the page: ${d.exception?.description ?? d.text}`);
      }
      return answer.result.value as T;
    };
    await send('Network.enable', {}, sessionId);
    await send(
      'Emulation.setDeviceMetricsOverride',
      { width, height, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    await send('Page.navigate', { url: pathToFileURL(file).href }, sessionId);
    const deadline = Date.now() + timeoutMs;
    while ((await evaluate<string>('document.readyState')) !== 'complete') {
      if (Date.now() > deadline) throw new Error(`${file} did not load within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      evaluate,
      mouseMove: async (x, y) => {
        await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y }, sessionId);
      },
      requests,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
