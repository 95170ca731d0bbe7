import { createPreprocessHandler } from '@kse/lambda';
import { kinesisClientFromEnvironment } from './clients.js';

const kinesis = kinesisClientFromEnvironment();

/**
 * Lambda entry of the kse preprocess function: @kse/lambda's factory, configured from the
 * environment (`OUTPUT_STREAM`, `DEAD_LETTER_STREAM`; validated at cold start — a missing
 * variable fails it, naming the variable). Clients and configuration are built once, here.
 */
export const handler = createPreprocessHandler({ kinesis });
