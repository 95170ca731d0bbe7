import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { BatchWriter, isEnrichError, type BatchWriterOptions, type DeadLetter } from '@kse/enrich';
import {
  attempt,
  createDecoder,
  EnrichedOrderItemSchema,
  type EnrichedOrderItem,
} from '@kse/schemas';
import * as z from 'zod/mini';
import { processKinesisEvent } from '../batchResponse.js';
import { originOf, type KinesisUserRecord } from '../kinesisEvent.js';
import {
  decodeFailureDeadLetter,
  dynamoDbClientOf,
  kinesisClientOf,
  schemaDeadLetter,
  type HandlerBaseOptions,
} from './common.js';
import { minLengthString, positiveInt, readConfig } from './config.js';
import { sendDeadLetters } from './deadLetters.js';
import { createObservability, reportInvocation, withObservability } from './observability.js';

/** Options of {@link createSinkHandler}; each falls back to its environment variable. */
export interface SinkHandlerOptions extends HandlerBaseOptions {
  /** Target table (env `TABLE_NAME`), keyed `orderId` N / `itemId` N. */
  tableName?: string;
  /** Concurrent BatchWriteItem calls (env `WRITE_CONCURRENCY`, default 4). */
  writeConcurrency?: number;
  /** Further options of `@kse/enrich`'s BatchWriter (backoff, retries, …). */
  batchWriter?: Partial<Omit<BatchWriterOptions, 'client' | 'tableName' | 'concurrency'>>;
}

const sinkConfig = () =>
  z.object({
    TABLE_NAME: minLengthString(3),
    WRITE_CONCURRENCY: z._default(positiveInt(), 4),
    DEAD_LETTER_STREAM: z.optional(minLengthString(1)),
  });

const decodeEnriched = createDecoder(EnrichedOrderItemSchema);

/** A Lambda handler for Kinesis that returns a partial batch response. */
export type KinesisBatchHandler = (
  event: KinesisStreamEvent,
  context?: Context,
) => Promise<KinesisStreamBatchResponse>;

/**
 * Builds the sink handler: enriched rows from a Kinesis stream → `@kse/enrich`'s
 * BatchWriter → the DynamoDB table. Rows that could not be written within the writer's
 * retry budget are returned as batch item failures (Lambda re-drives from the lowest);
 * records that are not valid enriched rows are dead-lettered with the reason. Clients,
 * configuration and the writer are built once, when the factory runs (cold start).
 *
 * @example
 * ```ts
 * // a Lambda module
 * export const handler = createSinkHandler(); // TABLE_NAME from the environment
 * // in-process, under the local event source mapping
 * await startEventSourceMapping({ kinesis, dynamodb, streamName, handler: createSinkHandler({ tableName, dynamodb, kinesis }) });
 * ```
 */
export function createSinkHandler(options: SinkHandlerOptions = {}): KinesisBatchHandler {
  const config = readConfig(sinkConfig(), options.env ?? process.env, {
    TABLE_NAME: options.tableName,
    WRITE_CONCURRENCY: options.writeConcurrency,
    DEAD_LETTER_STREAM: options.deadLetterStream,
  });
  const dynamodb = dynamoDbClientOf(options);
  const kinesis = kinesisClientOf(options);
  const observability = createObservability('kse-sink', options, [dynamodb, kinesis]);
  const writer = new BatchWriter({
    ...options.batchWriter,
    client: dynamodb,
    tableName: config.TABLE_NAME,
    concurrency: config.WRITE_CONCURRENCY,
  });
  const now = options.now ?? Date.now;

  return withObservability(observability, async (event, context) => {
    let recordsOut = 0;
    let deadLettered = 0;
    let retries = 0;
    let failedCount = 0;
    let recordsIn = 0;
    const latenciesMs: number[] = [];
    const deadLetters: DeadLetter[] = [];
    const response = await processKinesisEvent(
      event,
      async (records) => {
        recordsIn += records.length;
        const rows: { row: EnrichedOrderItem; record: KinesisUserRecord }[] = [];
        for (const record of records) {
          const result = attempt(() => decodeEnriched(record.data, originOf(record)));
          if (result.ok) rows.push({ row: result.value, record });
          else deadLetters.push(schemaDeadLetter(record, result.error));
        }
        retries += await sendDeadLetters(
          deadLetters,
          { kinesis, streamName: config.DEAD_LETTER_STREAM, logger: observability.logger },
          options.putRecords,
        );
        deadLettered += deadLetters.length;
        let failed: KinesisUserRecord[] = [];
        try {
          const result = await writer.write(rows.map((entry) => entry.row));
          retries += result.retried;
        } catch (error) {
          if (!isEnrichError(error) || error.code !== 'KSE_WRITE_FAILED') throw error;
          const unwritten = new Set(error.unwrittenKeys);
          failed = rows
            .filter(({ row }) => unwritten.has(`${row.orderId}/${row.itemId}`))
            .map((entry) => entry.record);
          if (failed.length === 0) throw error;
          observability.logger.warn('rows not written; reporting batch item failures', {
            unwritten: error.unwrittenKeys.length,
            error: error.message,
          });
        }
        failedCount = failed.length;
        const failedSet = new Set(failed);
        const end = now();
        for (const { row, record } of rows) {
          if (failedSet.has(record)) continue;
          recordsOut += 1;
          const arrival =
            Math.max(row.order_arrival_ts ?? 0, row.item_arrival_ts ?? 0) ||
            record.approximateArrivalTimestampMs;
          latenciesMs.push(end - arrival);
        }
        return { failed };
      },
      {
        ...(context ? { lambdaContext: context } : {}),
        onDecodeFailure: async (failures) => {
          const letters = failures.map(decodeFailureDeadLetter);
          retries += await sendDeadLetters(
            letters,
            { kinesis, streamName: config.DEAD_LETTER_STREAM, logger: observability.logger },
            options.putRecords,
          );
          deadLettered += letters.length;
          recordsIn += letters.length;
        },
      },
    );
    reportInvocation(
      observability,
      event,
      context,
      { recordsIn, recordsOut, deadLettered, retries, failed: failedCount, latenciesMs },
      now(),
    );
    return response;
  });
}
