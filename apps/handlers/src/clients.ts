import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { sdkClientConfig } from '@kse/core';

// The handlers' clients, built once per cold start from the standard AWS environment. Every
// client takes @kse/core's client defaults (3 attempts, standard retry mode, connection and
// request timeouts, a keep-alive HTTP/1.1 handler): the SDK owns whole-call retries, our
// code PutRecords / BatchWriteItem partial failures, Lambda the retry of a failed
// invocation. With a custom endpoint (`AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`,
// which the SDK itself reads) the same bundles run against emulators (which speak HTTP/1.1,
// not the Kinesis client's default HTTP/2), and S3 uses path-style addressing. One function
// per client, so each bundle carries only the SDK clients its handler uses.

/** Environment variables, as `process.env`. */
export type Environment = Record<string, string | undefined>;

function customEndpoint(env: Environment, service: string): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** Kinesis client for the handlers. */
export function kinesisClientFromEnvironment(_env: Environment = process.env): KinesisClient {
  return new KinesisClient(sdkClientConfig());
}

/** DynamoDB client for the handlers. */
export function dynamoDbClientFromEnvironment(_env: Environment = process.env): DynamoDBClient {
  return new DynamoDBClient(sdkClientConfig());
}

/** S3 client for the handlers (path-style addressing against a custom endpoint). */
export function s3ClientFromEnvironment(env: Environment = process.env): S3Client {
  return new S3Client({
    ...sdkClientConfig(),
    ...(customEndpoint(env, 'S3') === undefined
      ? {}
      : {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }),
  });
}
