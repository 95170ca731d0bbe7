import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { StandardRetryStrategy } from '@smithy/core/retry';
import { SDK_CLIENT_DEFAULTS } from './clientDefaults.js';
import { sdkRetryStrategy } from './retryStrategy.js';

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
 * A new HTTP/1.1 `NodeHttpHandler` with kse's timeouts and agents
 * ({@link SDK_CLIENT_DEFAULTS}): connection timeout 3 s, request timeout 30 s (thrown, not
 * only logged), socket idle timeout 10 s, keep-alive HTTP and HTTPS agents of at most 50
 * sockets. It serves plain-HTTP emulators (the Kinesis client's default handler speaks
 * HTTP/2 only, which they do not) and AWS alike (kse never calls SubscribeToShard, the one
 * Kinesis call that needs HTTP/2). Each call builds its own agents: give each client its own
 * handler.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient({ endpoint, requestHandler: createHttpHandler() });
 * ```
 */
export function createHttpHandler(): NodeHttpHandler {
  const d = SDK_CLIENT_DEFAULTS;
  return new NodeHttpHandler({
    connectionTimeout: d.connectionTimeoutMs,
    requestTimeout: d.requestTimeoutMs,
    throwOnRequestTimeout: true,
    socketTimeout: d.socketIdleTimeoutMs,
    httpAgent: new HttpAgent({ ...d.agent }),
    httpsAgent: new HttpsAgent({ ...d.agent }),
  });
}

/**
 * The part of an SDK client's configuration kse sets on every client: `maxAttempts` (3, or
 * the `maxAttempts` given), the `standard` retry mode with kse's waits as its
 * `retryStrategy` ({@link sdkRetryStrategy}) and a {@link createHttpHandler} handler. Spread
 * it first, then the caller's own settings (region, endpoint, credentials). Give other
 * attempts here, not after it: the SDK uses the `retryStrategy` and ignores a later
 * `maxAttempts`.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient({ ...sdkClientConfig(), region, endpoint });
 * const replayer = new KinesisClient({ ...sdkClientConfig({ maxAttempts: 8 }), region });
 * ```
 */
export function sdkClientConfig(options: { maxAttempts?: number } = {}): {
  maxAttempts: number;
  retryMode: string;
  retryStrategy: StandardRetryStrategy;
  requestHandler: NodeHttpHandler;
} {
  const maxAttempts = options.maxAttempts ?? SDK_CLIENT_DEFAULTS.maxAttempts;
  return {
    maxAttempts,
    retryMode: SDK_CLIENT_DEFAULTS.retryMode,
    retryStrategy: sdkRetryStrategy(maxAttempts),
    requestHandler: createHttpHandler(),
  };
}
