import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';
import {
  DEFAULT_REGION,
  LOCAL_CREDENTIALS,
  type AwsConfig,
  type AwsCredentials,
} from '../aws/config.js';
import { LocalStackError } from '../errors.js';
import { listen } from './ports.js';
import { installDynaliteSpeedups, loadDynalite } from './speedups/dynaliteSpeedups.js';
import { installKinesaliteSpeedups } from './speedups/kinesaliteSpeedups.js';
import { boundEmulatorOpenFiles } from './levelDbOpenFiles.js';

/** The emulated services. */
export const LOCAL_SERVICES = ['kinesis', 'dynamodb', 's3'] as const;
/** One of {@link LOCAL_SERVICES}. */
export type LocalService = (typeof LOCAL_SERVICES)[number];

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Loopback address to listen on (default `127.0.0.1`). */
  host?: string;
  /** Region reported in the config and ARNs (default `us-east-1`). */
  region?: string;
  /**
   * Keep data on disk in this directory (`kinesis/`, `dynamodb/`, `s3/` below it). Left
   * out: Kinesis and DynamoDB live in memory and S3 in a temporary directory removed by
   * `stop()`.
   */
  dataDir?: string;
  /** Fixed ports (default 0: a free port each). */
  ports?: { kinesis?: number; dynamodb?: number; s3?: number };
  /**
   * How long a new stream / table stays `CREATING` (and a deleted one `DELETING`), in ms
   * (default 50). Real AWS takes seconds; a short non-zero delay keeps "wait for ACTIVE"
   * code honest without slowing tests.
   */
  transitionMs?: number;
  /**
   * Opt in to the speed patches of the emulators (default false): kinesalite's
   * sequence-number and hash-key helpers replaced by exact BigInt versions
   * (`installKinesaliteSpeedups`, about a quarter of its CPU under load) and four shortcuts
   * on dynalite's write path (`installDynaliteSpeedups`: cached table descriptions, no read
   * of the old item where it cannot matter, the puts of one event-loop turn batched on
   * disk, fast type checks of plain attribute values; about half its CPU per item written
   * to disk). Each answers exactly as the emulator's own code, and each has a conformance
   * test that holds the same SDK conversation with and without it. They patch the
   * emulators' modules for the whole process (for `spawnLocalStack`: its child processes),
   * for the services started: `true` installs them; `false` installs nothing and leaves in
   * place whatever an earlier call installed in this process.
   */
  speedups?: boolean;
}

/** Defaults of {@link LocalStackOptions}. */
export const DEFAULT_LOCAL_STACK_OPTIONS = {
  host: '127.0.0.1',
  region: DEFAULT_REGION,
  transitionMs: 50,
  speedups: false,
} satisfies LocalStackOptions;

/** A running local stack: Kinesis, DynamoDB and S3 emulators on loopback ports. */
export interface LocalStack {
  endpoints: { kinesis: string; dynamodb: string; s3: string };
  region: string;
  credentials: AwsCredentials;
  /** Ready for the client factories. */
  config: AwsConfig;
  /** Stops the emulators and releases every port, timer and temporary file. Idempotent. */
  stop(): Promise<void>;
}

/** Some emulators running in this process (the part of a stack one process serves). */
export interface LocalEmulators {
  endpoints: Partial<LocalStack['endpoints']>;
  /** Stops them and releases every port, timer and temporary file. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts kinesalite, dynalite and s3rver in this process, each on a free loopback port,
 * with dummy credentials. The emulators run their own code unless `speedups: true`.
 *
 * s3rver's paginated listings (`ListObjectsV2` with a continuation token) need Node's
 * `--openssl-legacy-provider` (they encrypt the token with DES); everything else works
 * without it.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ speedups: true });
 * const clients = createAwsClients(stack.config);
 * await ensureStream(clients.kinesis, { streamName: 'orders', shardCount: 2 });
 * await stack.stop();
 * ```
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const { region } = { ...DEFAULT_LOCAL_STACK_OPTIONS, ...options };
  const emulators = await startEmulators(LOCAL_SERVICES, options);
  const endpoints = emulators.endpoints as LocalStack['endpoints'];
  const credentials = { ...LOCAL_CREDENTIALS };
  return {
    endpoints,
    region,
    credentials,
    config: { region, endpoints: { ...endpoints }, credentials: { ...credentials } },
    stop: emulators.stop,
  };
}

/**
 * Starts the given emulators of a stack in this process, each on a free loopback port
 * (or its fixed one): the building block of {@link startLocalStack}, and of the child
 * processes of {@link spawnLocalStack} that serve a part of a stack each.
 *
 * @example
 * ```ts
 * const { endpoints, stop } = await startEmulators(['kinesis']);
 * console.log(endpoints.kinesis);
 * await stop();
 * ```
 */
export async function startEmulators(
  services: readonly LocalService[],
  options: LocalStackOptions = {},
): Promise<LocalEmulators> {
  const {
    host,
    dataDir,
    ports = {},
    transitionMs,
    speedups,
  } = {
    ...DEFAULT_LOCAL_STACK_OPTIONS,
    ...options,
  };
  for (const service of services) {
    if (!(LOCAL_SERVICES as readonly string[]).includes(service)) {
      throw new LocalStackError(
        'KSE_CONFIG_INVALID',
        `services: unknown service ${JSON.stringify(service)} (one of ${LOCAL_SERVICES.join(', ')})`,
        { setting: 'services' },
      );
    }
  }
  const wanted = new Set(services);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const closers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  };

  try {
    if (dataDir !== undefined) {
      for (const sub of services) mkdirSync(join(dataDir, sub), { recursive: true });
      boundEmulatorOpenFiles();
    }
    const servers: Promise<[LocalService, number]>[] = [];
    const serve = (service: LocalService, server: Server): void => {
      servers.push(
        listen(server, host, ports[service] ?? 0, `ports.${service}`, closers).then((port) => [
          service,
          port,
        ]),
      );
    };
    if (wanted.has('kinesis')) {
      if (speedups) installKinesaliteSpeedups();
      serve(
        'kinesis',
        kinesalite({
          ...(dataDir === undefined ? {} : { path: join(dataDir, 'kinesis') }),
          createStreamMs: transitionMs,
          deleteStreamMs: transitionMs,
          updateStreamMs: transitionMs,
          shardLimit: 100,
        }),
      );
    }
    if (wanted.has('dynamodb')) {
      if (speedups) installDynaliteSpeedups();
      // Loaded here, not imported: its actions must see the putItem dispatcher.
      const dynalite = loadDynalite();
      serve(
        'dynamodb',
        dynalite({
          ...(dataDir === undefined ? {} : { path: join(dataDir, 'dynamodb') }),
          createTableMs: transitionMs,
          deleteTableMs: transitionMs,
          updateTableMs: transitionMs,
        }),
      );
    }
    if (wanted.has('s3')) {
      let s3Dir: string;
      if (dataDir === undefined) {
        const made = mkdtempSync(join(tmpdir(), 'kse-s3-'));
        closers.push(async () => rmSync(made, { recursive: true, force: true }));
        s3Dir = made;
      } else {
        s3Dir = join(dataDir, 's3');
      }
      const s3 = new S3rver({ silent: true, directory: s3Dir, vhostBuckets: false });
      // s3rver.run() leaves listen errors unhandled: serve its Koa handler ourselves.
      serve('s3', createServer(s3.callback()));
    }

    // allSettled, not all: every listen must have finished (and registered its closer)
    // before a failure stops the ones that succeeded.
    const settled = await Promise.allSettled(servers);
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const endpoints: LocalEmulators['endpoints'] = {};
    for (const result of settled) {
      if (result.status === 'fulfilled') {
        const [service, port] = result.value;
        endpoints[service] = `http://${urlHost}:${port}`;
      }
    }
    let stopped: Promise<void> | undefined;
    return { endpoints, stop: () => (stopped ??= stopAll()) };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
