import { Agent as HttpAgent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SDK_CLIENT_DEFAULTS } from './clientDefaults.js';

/**
 * True when `endpoint` is a plain-HTTP URL (`http://…`): an emulator, usually.
 *
 * @example
 * ```ts
 * isPlainHttp('http://127.0.0.1:4567'); // true
 * isPlainHttp('https://kinesis.eu-west-1.amazonaws.com'); // false
 * isPlainHttp(undefined); // false: the SDK's default endpoint
 * ```
 */
export function isPlainHttp(endpoint: string | undefined): boolean {
  return endpoint !== undefined && endpoint.startsWith('http://');
}

/**
 * A new HTTP/1.1 `NodeHttpHandler` for a plain-HTTP endpoint, on a keep-alive agent of
 * {@link SDK_CLIENT_DEFAULTS}`.plainHttpAgent` (at most 50 sockets). The Kinesis client
 * defaults to an HTTP/2 handler, which plain-HTTP emulators do not speak; the other clients
 * get it too, so that every client to an emulator reuses its connections the same way.
 * Each call builds its own agent: give each client its own handler.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient({
 *   endpoint,
 *   ...(isPlainHttp(endpoint) ? { requestHandler: createPlainHttpHandler() } : {}),
 * });
 * ```
 */
export function createPlainHttpHandler(): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ ...SDK_CLIENT_DEFAULTS.plainHttpAgent }),
  });
}
