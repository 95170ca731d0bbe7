import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from 'verdaccio';

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Loopback address to listen on. */
  host?: string;
  /** Port to listen on; `0` lets the OS pick a free one. */
  port?: number;
  /**
   * Package scope anyone may publish to without logging in (e.g. `@kse`). Every other
   * name is read-only and, with no uplinks, simply not found.
   */
  scope?: string;
  /** Verdaccio log level (`fatal`, `error`, `warn`, `info`, `http`, `debug`, `trace`). */
  logLevel?: string;
}

/** Defaults of {@link RegistryOptions}. */
export const DEFAULT_REGISTRY_OPTIONS = {
  host: '127.0.0.1',
  port: 0,
  scope: '@kse',
  logLevel: 'fatal',
} satisfies Required<RegistryOptions>;

/** A running throwaway registry. */
export interface Registry {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  /** Port actually bound. */
  port: number;
  /** Temporary folder holding the registry's storage; removed by {@link Registry.stop}. */
  storageDir: string;
  /** Closes the server and every open connection, then removes the storage folder. */
  stop(): Promise<void>;
}

/**
 * Starts a private npm registry (Verdaccio, in-process) on a free loopback port, backed by
 * a fresh temporary folder, with no uplinks: it serves only what is published to it.
 * Anonymous publish is allowed for `<scope>/*` only.
 *
 * @example
 * const registry = await startRegistry();
 * try {
 *   // npm publish --registry registry.url ...
 * } finally {
 *   await registry.stop();
 * }
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const { host, port, scope, logLevel } = { ...DEFAULT_REGISTRY_OPTIONS, ...options };
  const storageDir = await mkdtemp(join(tmpdir(), 'kse-registry-'));
  try {
    const server = (await runServer({
      // Verdaccio resolves relative paths against the config file; there is none.
      self_path: join(storageDir, 'config.yaml'),
      configPath: join(storageDir, 'config.yaml'),
      storage: join(storageDir, 'storage'),
      // No uplinks: nothing is proxied to a public registry.
      uplinks: {},
      auth: { htpasswd: { file: join(storageDir, 'htpasswd'), max_users: -1 } },
      packages: {
        [`${scope}/*`]: { access: '$all', publish: '$all', unpublish: '$all' },
        '**': { access: '$all', publish: 'nobody', unpublish: 'nobody' },
      },
      web: { enable: false },
      log: { type: 'stdout', format: 'json', level: logLevel },
    } as never)) as Server;

    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const bound = (server.address() as AddressInfo).port;

    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
          for (const socket of sockets) socket.destroy();
        });
        await rm(storageDir, { recursive: true, force: true });
      })();
      return stopped;
    };

    return { url: `http://${host}:${bound}/`, port: bound, storageDir, stop };
  } catch (error) {
    await rm(storageDir, { recursive: true, force: true });
    throw error;
  }
}
