import { createSweeperHandler } from '@kse/lambda';
import { dynamoDbClientFromEnvironment, kinesisClientFromEnvironment } from './clients.js';

const kinesis = kinesisClientFromEnvironment();
const dynamodb = dynamoDbClientFromEnvironment();

/**
 * Lambda entry of the kse sweeper, run on an EventBridge schedule: @kse/lambda's
 * `createSweeperHandler`, configured from the environment (`SOURCE_STREAM`,
 * `JOIN_STATE_TABLE`, `DEAD_LETTER_STREAM`, and the same `JOIN_*` / `SWEEP_*` variables as
 * enrich; validated at cold start, TTL rule included). It expires the join state of shards
 * that get no records (idle shards get no invocations on AWS), so an unmatched item or
 * order is dead-lettered without waiting for traffic.
 */
export const handler = createSweeperHandler({ kinesis, dynamodb });
