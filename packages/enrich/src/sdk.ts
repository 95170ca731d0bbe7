import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';

// The AWS SDK is loaded on first use, so that in-memory users (tests, benchmarks, a
// long-lived process without DynamoDB) do not pay its ~25 MB and its load time.
let dynamoDb: Promise<typeof DynamoDbSdk> | undefined;

/** `@aws-sdk/client-dynamodb`, imported once, on first use. */
export function loadDynamoDb(): Promise<typeof DynamoDbSdk> {
  dynamoDb ??= import('@aws-sdk/client-dynamodb');
  return dynamoDb;
}
