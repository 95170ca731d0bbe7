import { createSinkHandler } from '@kse/lambda';
import { kinesisClientFromEnvironment, dynamoDbClientFromEnvironment } from './clients.js';

const kinesis = kinesisClientFromEnvironment();
const dynamodb = dynamoDbClientFromEnvironment();

/**
 * Lambda entry of the kse sink function: @kse/lambda's factory, configured from the
 * environment (`TABLE_NAME`, `DEAD_LETTER_STREAM`; validated at cold start — a missing
 * variable fails it, naming the variable). Clients and configuration are built once, here.
 */
export const handler = createSinkHandler({ kinesis, dynamodb });
