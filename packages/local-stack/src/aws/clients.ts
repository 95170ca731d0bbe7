import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { sdkClientConfig } from '@kse/core';
import type { AwsConfig, AwsService } from './config.js';

/** The four clients kse uses, built from one {@link AwsConfig}. */
export interface AwsClients {
  kinesis: KinesisClient;
  dynamodb: DynamoDBClient;
  /** Wraps `dynamodb` (same connection pool). */
  documentClient: DynamoDBDocumentClient;
  s3: S3Client;
}

/**
 * Settings every client shares: `@kse/core`'s client defaults (attempts, standard retry
 * mode with kse's waits, connection and request timeouts, keep-alive HTTP/1.1 handler),
 * then the resolved config; the attempts are the overrides' `maxAttempts`, else the
 * config's (from options or `AWS_MAX_ATTEMPTS`), else the default. An override's own
 * `retryStrategy` wins over all of it.
 */
function baseConfig(config: AwsConfig, service: AwsService, overrides: { maxAttempts?: unknown }) {
  const endpoint = config.endpoints[service];
  const maxAttempts =
    typeof overrides.maxAttempts === 'number' ? overrides.maxAttempts : config.maxAttempts;
  return {
    ...sdkClientConfig(maxAttempts === undefined ? {} : { maxAttempts }),
    region: config.region,
    ...(endpoint === undefined ? {} : { endpoint }),
    // A copy: the SDK tags the credentials object it is given (`$source`), which throws
    // on a frozen object such as LOCAL_CREDENTIALS, on every request.
    ...(config.credentials === undefined ? {} : { credentials: { ...config.credentials } }),
    ...(config.profile === undefined ? {} : { profile: config.profile }),
  };
}

/**
 * Builds a `KinesisClient` with `@kse/core`'s client defaults: an HTTP/1.1 `NodeHttpHandler`
 * with kse's timeouts, against an emulator (which does not speak the Kinesis client's
 * default HTTP/2) and AWS alike.
 *
 * @example
 * ```ts
 * const kinesis = createKinesisClient(stack.config);
 * await kinesis.send(new ListStreamsCommand({}));
 * ```
 */
export function createKinesisClient(
  config: AwsConfig,
  overrides: KinesisClientConfig = {},
): KinesisClient {
  return new KinesisClient({
    ...baseConfig(config, 'kinesis', overrides),
    ...overrides,
  });
}

/** Builds a `DynamoDBClient` from the resolved config. */
export function createDynamoDbClient(
  config: AwsConfig,
  overrides: DynamoDBClientConfig = {},
): DynamoDBClient {
  return new DynamoDBClient({
    ...baseConfig(config, 'dynamodb', overrides),
    ...overrides,
  });
}

/** Marshalling defaults of the document client: `undefined` attributes are dropped. */
export const DEFAULT_TRANSLATE_CONFIG = {
  marshallOptions: { removeUndefinedValues: true },
} satisfies TranslateConfig;

/**
 * Builds a `DynamoDBDocumentClient` (plain JS values in and out) over a new
 * `DynamoDBClient`.
 */
export function createDocumentClient(
  config: AwsConfig,
  overrides: DynamoDBClientConfig = {},
  translateConfig: TranslateConfig = DEFAULT_TRANSLATE_CONFIG,
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(config, overrides), translateConfig);
}

/**
 * Builds an `S3Client`. With a custom endpoint it uses path-style addressing
 * (`http://host:port/bucket/key`) and only the checksums S3 requires, which the
 * emulator understands.
 */
export function createS3Client(config: AwsConfig, overrides: S3ClientConfig = {}): S3Client {
  const endpoint = config.endpoints.s3;
  return new S3Client({
    ...baseConfig(config, 's3', overrides),
    ...(endpoint === undefined
      ? {}
      : {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }),
    ...overrides,
  });
}

/**
 * Builds the Kinesis, DynamoDB (plain and document) and S3 clients from one config.
 *
 * @example
 * ```ts
 * const clients = createAwsClients(testAwsConfig());
 * await ensureBucket(clients.s3, uniqueName('products'));
 * ```
 */
export function createAwsClients(config: AwsConfig): AwsClients {
  const dynamodb = createDynamoDbClient(config);
  return {
    kinesis: createKinesisClient(config),
    dynamodb,
    documentClient: DynamoDBDocumentClient.from(dynamodb, DEFAULT_TRANSLATE_CONFIG),
    s3: createS3Client(config),
  };
}

/** Closes the clients' connection pools (so a process can exit promptly). */
export function destroyAwsClients(clients: AwsClients): void {
  clients.kinesis.destroy();
  clients.dynamodb.destroy();
  clients.s3.destroy();
}
