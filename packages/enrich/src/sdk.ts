import type * as DynamoDbCommands from './sdkCommands/dynamodb.js';
import type * as S3Commands from './sdkCommands/s3.js';

// The AWS SDK is loaded on first use, so that in-memory users (tests, benchmarks, a
// long-lived process without DynamoDB) do not pay its ~25 MB and its load time. Each load
// goes through a module of kse's that names the commands it uses: a bundler that inlines
// these imports then keeps those commands only, not every command of the client (which a
// namespace import of `@aws-sdk/client-*` would keep: 100–165 KiB per client).
let dynamoDb: Promise<typeof DynamoDbCommands> | undefined;
let s3: Promise<typeof S3Commands> | undefined;

/** The DynamoDB commands kse sends (`@aws-sdk/client-dynamodb`), imported once, on first use. */
export function loadDynamoDb(): Promise<typeof DynamoDbCommands> {
  dynamoDb ??= import('./sdkCommands/dynamodb.js');
  return dynamoDb;
}

/** The S3 commands kse sends (`@aws-sdk/client-s3`), imported once, on first use. */
export function loadS3(): Promise<typeof S3Commands> {
  s3 ??= import('./sdkCommands/s3.js');
  return s3;
}
