// @kse/local-stack: two rooms behind one entry.
//  - AWS (src/aws/): resolve the configuration, build the SDK clients, create and reset
//    streams, tables and buckets. Same code against AWS and against the emulators.
//  - Emulators (src/emulators/): start and stop kinesalite, dynalite and s3rver in this
//    process or in child processes, DynamoDB Local, and the opt-in speed patches.
// The vitest harness is not here: it ships on the `@kse/local-stack/testing` subpath.

export { LOCAL_STACK_ERROR_CODES, LocalStackError, isLocalStackError } from './errors.js';
export type { LocalStackErrorCode, LocalStackErrorOptions } from './errors.js';

// ---- AWS: configuration, clients, resources ----------------------------------------------

export { AWS_TARGETS, DEFAULT_REGION, LOCAL_CREDENTIALS, resolveAwsConfig } from './aws/config.js';
/** Re-exported from `@kse/core`, where kse's SDK client defaults live. */
export { isPlainHttp } from '@kse/core';
export type {
  AwsConfig,
  AwsCredentials,
  AwsService,
  AwsTarget,
  ResolveAwsConfigOptions,
  ResolvedAwsConfig,
} from './aws/config.js';

export {
  DEFAULT_TRANSLATE_CONFIG,
  createAwsClients,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createS3Client,
  destroyAwsClients,
} from './aws/clients.js';
export type { AwsClients } from './aws/clients.js';

export { openAws } from './aws/openAws.js';
export type { OpenAws, OpenAwsOptions } from './aws/openAws.js';

export {
  deleteStreamIfExists,
  deleteTableIfExists,
  emptyBucket,
  ensureBucket,
  ensureStream,
  ensureTable,
} from './aws/resources.js';
export type { EnsureStreamOptions, EnsureTableOptions, KeyAttribute } from './aws/resources.js';

export { DEFAULT_POLL_OPTIONS } from './aws/poll.js';
export type { PollOptions } from './aws/poll.js';

// ---- Emulators: local Kinesis, DynamoDB and S3 -------------------------------------------

export {
  DEFAULT_LOCAL_STACK_OPTIONS,
  LOCAL_SERVICES,
  startEmulators,
  startLocalStack,
} from './emulators/startLocalStack.js';
export type {
  LocalEmulators,
  LocalService,
  LocalStack,
  LocalStackOptions,
} from './emulators/startLocalStack.js';

export {
  hasLegacyOpenSslProvider,
  serveLocalStack,
  spawnLocalStack,
} from './emulators/spawnLocalStack.js';
export type {
  ServeLocalStackOptions,
  SpawnLocalStackOptions,
  SpawnedLocalStack,
  EmulatorExit,
  EmulatorProcess,
} from './emulators/spawnLocalStack.js';

export {
  DEFAULT_DYNAMODB_LOCAL_OPTIONS,
  DYNAMODB_LOCAL_JVM_FLAGS,
  findDynamoDbLocalJar,
  startDynamoDbLocal,
} from './emulators/dynamoDbLocal.js';
export type { DynamoDbLocal, DynamoDbLocalOptions } from './emulators/dynamoDbLocal.js';

export { installKinesaliteSpeedups } from './emulators/speedups/kinesaliteSpeedups.js';
export { installDynaliteSpeedups } from './emulators/speedups/dynaliteSpeedups.js';

// ---- Faults: a proxy in front of an emulator that answers as AWS does under load ----------

export { FAULT_SPEC_KEYS, NO_FAULTS, formatFaultSpec, parseFaultSpec } from './faults/faultSpec.js';
export type { FaultSpec } from './faults/faultSpec.js';
export { FAULT_KINDS, FaultCounters } from './faults/FaultCounters.js';
export type { FaultCounts, FaultKind } from './faults/FaultCounters.js';
export { startFaultProxy } from './faults/startFaultProxy.js';
export type { FaultProxy, FaultProxyOptions, FaultProxyService } from './faults/startFaultProxy.js';
