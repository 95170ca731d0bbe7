import { createServer as createNetServer } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalStackError } from '../errors.js';

/**
 * Makes `server` listen on `host:port` (0: a free port) and resolves with the port it got;
 * on success pushes its closer onto `closers`. A failure is a {@link LocalStackError}
 * naming `setting`: `KSE_PORT_IN_USE` for a taken port, `KSE_CONFIG_INVALID` (setting
 * `host`) for an address this machine cannot listen on, else `KSE_STACK_START_FAILED`.
 */
export function listen(
  server: Server,
  host: string,
  port: number,
  setting: string,
  closers: (() => Promise<void>)[],
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(startError(error, host, port, setting));
      // The emulators open their store at creation: close it even though listen failed.
      server.close(() => undefined);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      closers.push(() => closeServer(server));
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes `server` and the connections it still holds. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets of clients that were not destroyed would hold the port open.
    server.closeAllConnections();
  });
}

/**
 * A port that was free on `host` a moment ago, for a process that must be told its port
 * before it starts (DynamoDB Local): another process may take it in between.
 */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function startError(error: unknown, host: string, port: number, setting: string): LocalStackError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new LocalStackError('KSE_PORT_IN_USE', `${setting}: port ${port} on ${host} is in use`, {
      setting,
      cause: error,
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new LocalStackError('KSE_CONFIG_INVALID', `host: cannot listen on ${host} (${code})`, {
      setting: 'host',
      cause: error,
    });
  }
  return new LocalStackError(
    'KSE_STACK_START_FAILED',
    `${setting}: could not listen on ${host}:${port}: ${(error as Error).message}`,
    { setting, cause: error },
  );
}
