export { LOCAL_STACK_ERROR_CODES, LocalStackError, isLocalStackError } from './errors.js';
export type { LocalStackErrorCode, LocalStackErrorOptions } from './errors.js';

export { DEFAULT_REGION, LOCAL_CREDENTIALS, isPlainHttp, resolveAwsConfig } from './config.js';
export type {
  AwsConfig,
  AwsCredentials,
  AwsService,
  ResolveAwsConfigOptions,
  ResolvedAwsConfig,
} from './config.js';

export {
  DEFAULT_TRANSLATE_CONFIG,
  createAwsClients,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createS3Client,
  destroyAwsClients,
} from './clients.js';
export type { AwsClients } from './clients.js';

export {
  DEFAULT_LOCAL_STACK_OPTIONS,
  LOCAL_SERVICES,
  startEmulators,
  startLocalStack,
} from './startLocalStack.js';
export type {
  LocalEmulators,
  LocalService,
  LocalStack,
  LocalStackOptions,
} from './startLocalStack.js';

export { openAws } from './openAws.js';
export type { OpenAws, OpenAwsOptions } from './openAws.js';

export {
  deleteStreamIfExists,
  deleteTableIfExists,
  emptyBucket,
  ensureBucket,
  ensureStream,
  ensureTable,
} from './resources.js';
export type { EnsureStreamOptions, EnsureTableOptions, KeyAttribute } from './resources.js';

export { DEFAULT_POLL_OPTIONS } from './poll.js';
export type { PollOptions } from './poll.js';

export {
  DEFAULT_DYNAMODB_LOCAL_OPTIONS,
  DYNAMODB_LOCAL_JVM_FLAGS,
  findDynamoDbLocalJar,
  startDynamoDbLocal,
} from './dynamoDbLocal.js';
export type { DynamoDbLocal, DynamoDbLocalOptions } from './dynamoDbLocal.js';

export {
  TEST_AWS_CONFIG_ENV,
  TEST_DYNAMODB_ENV,
  TEST_STACK_MODE_ENV,
  testAwsConfig,
  uniqueName,
  vitestGlobalSetup,
} from './vitestHarness.js';

export { hasLegacyOpenSslProvider, serveLocalStack, spawnLocalStack } from './spawnLocalStack.js';
export type {
  ServeLocalStackOptions,
  SpawnLocalStackOptions,
  SpawnedLocalStack,
} from './spawnLocalStack.js';

export { installKinesaliteSpeedups } from './kinesaliteSpeedups.js';
export { installDynaliteSpeedups } from './dynaliteSpeedups.js';
