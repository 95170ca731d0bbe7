import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { sdkClientConfig } from '@kse/core';
import type { Environment } from './endpoint.js';

// The handlers' clients, built once per cold start from the standard AWS environment. Every
// client takes @kse/core's client defaults (3 attempts, standard retry mode, connection and
// request timeouts, a keep-alive HTTP/1.1 handler): the SDK owns whole-call retries, our
// code PutRecords / BatchWriteItem partial failures, Lambda the retry of a failed
// invocation. With a custom endpoint (`AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`,
// which the SDK itself reads) the same bundles run against emulators (which speak HTTP/1.1,
// not the Kinesis client's default HTTP/2), and S3 uses path-style addressing. One function
// per client, so each bundle carries only the SDK clients its handler uses; the S3 client's is in
// s3.ts, read on first use.

/** Kinesis client for the handlers. */
export function kinesisClientFromEnvironment(_env: Environment = process.env): KinesisClient {
  return new KinesisClient(sdkClientConfig());
}

/** DynamoDB client for the handlers. */
export function dynamoDbClientFromEnvironment(_env: Environment = process.env): DynamoDBClient {
  return new DynamoDBClient(sdkClientConfig());
}
