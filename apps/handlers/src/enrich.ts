import { createEnrichHandler } from '@kse/lambda';
import {
  kinesisClientFromEnvironment,
  dynamoDbClientFromEnvironment,
  s3ClientFromEnvironment,
} from './clients.js';

const kinesis = kinesisClientFromEnvironment();
const dynamodb = dynamoDbClientFromEnvironment();
const s3 = s3ClientFromEnvironment();

/**
 * Lambda entry of the kse enrich function: @kse/lambda's factory, configured from the
 * environment (`TOPOLOGY`, `ENRICHED_STREAM` or `TABLE_NAME`, `JOIN_STATE_TABLE`,
 * `PRODUCTS_S3_URI`, `JOIN_WINDOW_SECONDS`, `DEAD_LETTER_STREAM`; validated at cold start).
 * Clients, configuration and (on first use) the products are loaded once.
 */
export const handler = createEnrichHandler({ kinesis, dynamodb, s3 });
