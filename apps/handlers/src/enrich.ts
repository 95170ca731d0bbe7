import { createEnrichHandler } from '@kse/lambda';
import { kinesisClientFromEnvironment, dynamoDbClientFromEnvironment } from './clients.js';

const kinesis = kinesisClientFromEnvironment();
const dynamodb = dynamoDbClientFromEnvironment();
// Made on the products' first load, from a file of its own (s3.mjs): not read at cold start.
const s3 = async () => (await import('./s3.js')).s3ClientFromEnvironment();

/**
 * Lambda entry of the kse enrich function: @kse/lambda's factory, configured from the
 * environment (`TOPOLOGY`, `ENRICHED_STREAM` or `TABLE_NAME`, `JOIN_STATE_TABLE`,
 * `PRODUCTS_S3_URI`, `JOIN_WINDOW_SECONDS`, `DEAD_LETTER_STREAM`; validated at cold start).
 * Clients, configuration and (on first use: the S3 client, then) the products are loaded once.
 */
export const handler = createEnrichHandler({ kinesis, dynamodb, s3 });
