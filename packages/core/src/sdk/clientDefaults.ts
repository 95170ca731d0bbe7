/**
 * The SDK's attempts per call, the first included: 3. The SDK's retry strategy owns
 * whole-call failures (throttling, 5xx, resets, timeouts); kse's own loops own only what the
 * SDK cannot see (PutRecords entries with an `ErrorCode`, `UnprocessedItems`), and Lambda
 * owns the retry of a failed invocation. A client built with more attempts (say
 * `AWS_MAX_ATTEMPTS=5`) works too: it only retries whole calls longer.
 *
 * @example
 * ```ts
 * const dynamodb = new DynamoDBClient({ maxAttempts: SDK_MAX_ATTEMPTS });
 * ```
 */
export const SDK_MAX_ATTEMPTS = 3;

/**
 * The SDK retry mode of kse's clients: `standard` (its retryable errors, retry quota and
 * retry-after hints), stated rather than left to the SDK's default; `sdkClientConfig` gives
 * it kse's waits (`sdkRetryStrategy`: full jitter from 50 ms, throttles from 100 ms).
 *
 * @example
 * ```ts
 * const s3 = new S3Client({ maxAttempts: SDK_MAX_ATTEMPTS, retryMode: SDK_RETRY_MODE });
 * ```
 */
export const SDK_RETRY_MODE = 'standard';

/**
 * Connection timeout in ms (`NodeHttpHandler`'s `connectionTimeout`): a TCP (and TLS)
 * connection not made within 3 s is abandoned with a `TimeoutError`, which the SDK retries.
 * An endpoint that does not answer at all is then named within seconds, not minutes.
 *
 * @example
 * ```ts
 * new NodeHttpHandler({ connectionTimeout: SDK_CONNECTION_TIMEOUT_MS });
 * ```
 */
export const SDK_CONNECTION_TIMEOUT_MS = 3_000;

/**
 * Request timeout in ms (`NodeHttpHandler`'s `requestTimeout`, with
 * `throwOnRequestTimeout`): one try, request sent and response read, takes at most 30 s,
 * then fails with a `TimeoutError` that the SDK retries. A 5 MiB PutRecords or a GetRecords
 * of 10,000 records fits well within it.
 *
 * @example
 * ```ts
 * new NodeHttpHandler({ requestTimeout: SDK_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true });
 * ```
 */
export const SDK_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Socket idle timeout in ms (`NodeHttpHandler`'s `socketTimeout`): a try whose connection
 * carries no byte for 10 s fails with a `TimeoutError`. A stalled endpoint (a stopped
 * emulator process, a black-holed connection) is detected this long after it stops;
 * a shorter pause is ridden out.
 *
 * @example
 * ```ts
 * new NodeHttpHandler({ socketTimeout: SDK_SOCKET_IDLE_TIMEOUT_MS });
 * ```
 */
export const SDK_SOCKET_IDLE_TIMEOUT_MS = 10_000;

/**
 * The agents' settings (HTTP and HTTPS alike): connections kept alive and reused
 * (`keepAlive`), TCP keep-alive probes on idle sockets after `keepAliveMsecs`, at most 50
 * sockets per client — sized for kse's concurrent batches.
 *
 * @example
 * ```ts
 * new https.Agent({ ...SDK_AGENT_OPTIONS });
 * ```
 */
export const SDK_AGENT_OPTIONS = Object.freeze({
  keepAlive: true,
  keepAliveMsecs: 1_000,
  maxSockets: 50,
} as const);

/**
 * The settings of every AWS SDK client kse builds, in one frozen object: the local stack's
 * client factory, the Lambda handlers' clients, the CLI's pipeline, the replayer and the
 * generator's S3 uploads all take them through {@link sdkClientConfig}.
 *
 * | setting | value | |
 * | --- | --- | --- |
 * | `maxAttempts` | 3 | {@link SDK_MAX_ATTEMPTS} |
 * | `retryMode` | `standard` | {@link SDK_RETRY_MODE} |
 * | `connectionTimeoutMs` | 3,000 | {@link SDK_CONNECTION_TIMEOUT_MS} |
 * | `requestTimeoutMs` | 30,000 | {@link SDK_REQUEST_TIMEOUT_MS} |
 * | `socketIdleTimeoutMs` | 10,000 | {@link SDK_SOCKET_IDLE_TIMEOUT_MS} |
 * | `agent` | keep-alive, 1 s probes, 50 sockets | {@link SDK_AGENT_OPTIONS} |
 *
 * @example
 * ```ts
 * SDK_CLIENT_DEFAULTS.requestTimeoutMs; // 30000
 * ```
 */
export const SDK_CLIENT_DEFAULTS = Object.freeze({
  maxAttempts: SDK_MAX_ATTEMPTS,
  retryMode: SDK_RETRY_MODE,
  connectionTimeoutMs: SDK_CONNECTION_TIMEOUT_MS,
  requestTimeoutMs: SDK_REQUEST_TIMEOUT_MS,
  socketIdleTimeoutMs: SDK_SOCKET_IDLE_TIMEOUT_MS,
  agent: SDK_AGENT_OPTIONS,
} as const);
