import { Agent as HttpAgent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

// The handlers' clients, built once per cold start from the standard AWS environment. On
// Lambda nothing is set and these are the SDK's defaults. With a custom endpoint
// (`AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`, which the SDK itself reads) the same
// bundles run against emulators: Kinesis gets an HTTP/1.1 handler on a plain-HTTP endpoint
// (its default handler speaks HTTP/2 only) and S3 uses path-style addressing. One function
// per client, so each bundle carries only the SDK clients its handler uses.

/** Environment variables, as `process.env`. */
export type Environment = Record<string, string | undefined>;

// Our code owns PutRecords / BatchWriteItem partial failures and Lambda owns the retry of a
// failed invocation, so the SDK's own attempts stay low (as in @kse/lambda's defaults).
const SDK_MAX_ATTEMPTS = 3;

function customEndpoint(env: Environment, service: string): string | undefined {
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** Kinesis client for the handlers (HTTP/1.1 against a plain-HTTP endpoint). */
export function kinesisClientFromEnvironment(env: Environment = process.env): KinesisClient {
  const endpoint = customEndpoint(env, 'KINESIS');
  return new KinesisClient({
    maxAttempts: SDK_MAX_ATTEMPTS,
    ...(endpoint?.startsWith('http://')
      ? {
          requestHandler: new NodeHttpHandler({
            httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
          }),
        }
      : {}),
  });
}

/** DynamoDB client for the handlers. */
export function dynamoDbClientFromEnvironment(_env: Environment = process.env): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: SDK_MAX_ATTEMPTS });
}

/** S3 client for the handlers (path-style addressing against a custom endpoint). */
export function s3ClientFromEnvironment(env: Environment = process.env): S3Client {
  return new S3Client({
    maxAttempts: SDK_MAX_ATTEMPTS,
    ...(customEndpoint(env, 'S3') === undefined
      ? {}
      : {
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }),
  });
}
