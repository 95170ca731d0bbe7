/**
 * The settings of every AWS SDK client kse builds, in one place (the Lambda handlers,
 * the local stack's client factory, the CLI). Today they restate the SDK's own retry mode
 * explicitly and cap its attempts; timeouts are left at the SDK's defaults.
 *
 * - `maxAttempts` 3: the SDK's retries (throttling, 5xx, resets of a whole call) stay
 *   few, because kse's own loops own what the SDK cannot see (PutRecords entries with an
 *   `ErrorCode`, `UnprocessedItems`) and Lambda owns the retry of a failed invocation:
 *   with one retry owner per layer, the layers do not multiply.
 * - `retryMode` `standard`: the SDK's default, full-jitter backoff with a retry quota.
 * - `plainHttpAgent`: the keep-alive agent of {@link createPlainHttpHandler}, for
 *   plain-HTTP endpoints (emulators), sized for kse's concurrent batches.
 *
 * @example
 * ```ts
 * new KinesisClient({ maxAttempts: SDK_CLIENT_DEFAULTS.maxAttempts, retryMode: SDK_CLIENT_DEFAULTS.retryMode });
 * ```
 */
export const SDK_CLIENT_DEFAULTS = Object.freeze({
  maxAttempts: 3,
  retryMode: 'standard',
  plainHttpAgent: Object.freeze({ keepAlive: true, maxSockets: 50 }),
} as const);

/**
 * The SDK's attempts per call (the first included) for kse's clients: 3 (see
 * {@link SDK_CLIENT_DEFAULTS}).
 *
 * @example
 * ```ts
 * const dynamodb = new DynamoDBClient({ maxAttempts: SDK_MAX_ATTEMPTS });
 * ```
 */
export const SDK_MAX_ATTEMPTS = SDK_CLIENT_DEFAULTS.maxAttempts;

/**
 * The SDK retry mode of kse's clients: `standard` (see {@link SDK_CLIENT_DEFAULTS}).
 *
 * @example
 * ```ts
 * const s3 = new S3Client({ maxAttempts: SDK_MAX_ATTEMPTS, retryMode: SDK_RETRY_MODE });
 * ```
 */
export const SDK_RETRY_MODE = SDK_CLIENT_DEFAULTS.retryMode;
