import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { EmulatorExit } from '@kse/local-stack';
import { RunError } from './runError.js';

/** The services of a stack, as a run names them to the user. */
const SERVICE_NAMES = { kinesis: 'Kinesis', dynamodb: 'DynamoDB', s3: 'S3' } as const;

/** A service of the stack. */
export type WatchedService = keyof typeof SERVICE_NAMES;

/** One endpoint the watch keeps an eye on, and the process serving it when kse started it. */
export interface WatchedEndpoint {
  service: WatchedService;
  url: string;
  pid?: number;
}

/** Options of {@link LivenessWatch}. */
export interface LivenessWatchOptions {
  endpoints: readonly WatchedEndpoint[];
  /**
   * How long an endpoint may go without answering before it is declared down: a stall
   * shorter than this (a paused process, a GC pause, a busy emulator) is ridden out.
   */
  stallBudgetMs: number;
  /** Time between probes of one endpoint; default 1 s. */
  probeIntervalMs?: number;
  /** Called once, with the error that names the endpoint, when one is declared down. */
  onDown(error: RunError): void;
  now?: () => number;
}

/**
 * Watches the stack's endpoints while a run goes: a process of the embedded stack that
 * ends (killed, crashed) is reported at once; an endpoint that does not answer an HTTP
 * probe for `stallBudgetMs` (a stopped or hung process, a dead remote endpoint) is
 * reported then. Either way {@link LivenessWatchOptions.onDown} gets one error
 * (`KSE_ENDPOINT_DOWN`, exit 3) whose message names the endpoint, e.g.
 * `the Kinesis endpoint http://127.0.0.1:4567 stopped answering (process 1234 exited, SIGKILL)`.
 *
 * @example
 * ```ts
 * const watch = new LivenessWatch({ endpoints, stallBudgetMs: 15_000, onDown: (e) => fail(e) });
 * watch.start();
 * // …
 * watch.stop();
 * ```
 */
export class LivenessWatch {
  private readonly now: () => number;
  private readonly timers = new Map<WatchedEndpoint, NodeJS.Timeout>();
  private readonly requests = new Set<{ destroy(): void }>();
  private stopped = false;
  private down = false;

  constructor(private readonly options: LivenessWatchOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts probing every endpoint. */
  start(): void {
    for (const endpoint of this.options.endpoints) this.watch(endpoint);
  }

  /** Reports a process of the stack that ended without being asked to. */
  processExited(exit: EmulatorExit): void {
    const endpoint =
      this.options.endpoints.find((e) => e.pid === exit.pid) ??
      this.options.endpoints.find((e) => (exit.services as readonly string[]).includes(e.service));
    const how = exit.signal ?? `code ${exit.code}`;
    const where =
      endpoint === undefined
        ? `the ${exit.services.map((s) => SERVICE_NAMES[s]).join(' and ')} emulator`
        : `the ${SERVICE_NAMES[endpoint.service]} endpoint ${endpoint.url}`;
    this.report(`${where} stopped answering (process ${exit.pid} exited, ${how})`);
  }

  /** Stops probing. Idempotent. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const req of this.requests) req.destroy();
    this.requests.clear();
  }

  private watch(endpoint: WatchedEndpoint): void {
    const interval = this.options.probeIntervalMs ?? 1000;
    let lastAnswer = this.now();
    const probeOnce = (): void => {
      if (this.stopped) return;
      void this.probe(endpoint.url, Math.min(this.options.stallBudgetMs, 5000)).then((ok) => {
        if (this.stopped) return;
        if (ok) lastAnswer = this.now();
        const silentMs = this.now() - lastAnswer;
        if (silentMs >= this.options.stallBudgetMs) {
          this.report(
            `the ${SERVICE_NAMES[endpoint.service]} endpoint ${endpoint.url} stopped answering ` +
              `(no answer for ${Math.round(silentMs / 1000)} s${processState(endpoint.pid)})`,
          );
          return;
        }
        const timer = setTimeout(probeOnce, interval);
        timer.unref();
        this.timers.set(endpoint, timer);
      });
    };
    probeOnce();
  }

  // Any HTTP answer, whatever its status, means the endpoint is alive.
  private probe(url: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        this.requests.delete(req);
        clearTimeout(timer);
        resolve(ok);
      };
      const send = url.startsWith('https:') ? httpsRequest : httpRequest;
      const req = send(url, { method: 'GET', agent: false }, (res) => {
        res.resume();
        done(true);
      });
      req.on('error', () => done(false));
      const timer = setTimeout(() => {
        req.destroy();
        done(false);
      }, timeoutMs);
      timer.unref();
      this.requests.add(req);
      req.end();
    });
  }

  private report(message: string): void {
    if (this.down || this.stopped) return;
    this.down = true;
    this.stop();
    this.options.onDown(
      new RunError('KSE_ENDPOINT_DOWN', message, {
        hint: 'the run stopped; start it again once the endpoint is back (`kse local status` for a `kse local up` stack)',
      }),
    );
  }
}

// `; process 1234 is stopped` when Linux's /proc says so (SIGSTOP), else nothing.
function processState(pid: number | undefined): string {
  if (pid === undefined) return '';
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'T' || state === 't') return `; process ${pid} is stopped`;
    return `; process ${pid} is running`;
  } catch {
    return '';
  }
}
