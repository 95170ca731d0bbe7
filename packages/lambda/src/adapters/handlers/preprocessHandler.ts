import { createPreprocessor, type PreprocessOptions } from '@kse/enrich';
import { encodeRecord } from '@kse/schemas';
import * as z from 'zod/mini';
import { processKinesisEvent } from '../batchResponse.js';
import {
  deadLetterDecodeFailures,
  kinesisClientOf,
  newInvocationReport,
  toRawInputs,
  type HandlerBaseOptions,
} from './common.js';
import { minLengthString, readConfig } from './config.js';
import { sendDeadLetters, withStream } from './deadLetters.js';
import { createObservability, reportInvocation, withObservability } from './observability.js';
import { putRecordsAll } from './putRecordsAll.js';
import type { KinesisBatchHandler } from './sinkHandler.js';

/** Options of {@link createPreprocessHandler}; each falls back to its environment variable. */
export interface PreprocessHandlerOptions extends HandlerBaseOptions {
  /** Stream the typed records go to (env `OUTPUT_STREAM`). */
  outputStream?: string;
  /** `@kse/enrich` preprocess options (DMS table mapping, pruning, …). */
  preprocess?: PreprocessOptions;
}

const preprocessConfig = () =>
  z.object({
    OUTPUT_STREAM: minLengthString(1),
    DEAD_LETTER_STREAM: z.optional(minLengthString(1)),
  });

/**
 * Builds the preprocess handler: source-stream records (plain orders and items, or AWS DMS
 * records) → `@kse/enrich`'s preprocess (decode, DMS unwrap, `recordType`, pruning) →
 * PutRecords of the typed records to the next stream (partition key `orderId`). Bad input
 * is dead-lettered with its reason; a PutRecords failure after retries fails the batch
 * (Lambda retries it). Built once, at cold start.
 *
 * @example
 * ```ts
 * export const handler = createPreprocessHandler(); // OUTPUT_STREAM from the environment
 * ```
 */
export function createPreprocessHandler(
  options: PreprocessHandlerOptions = {},
): KinesisBatchHandler {
  const config = readConfig(preprocessConfig(), options.env ?? process.env, {
    OUTPUT_STREAM: options.outputStream,
    DEAD_LETTER_STREAM: options.deadLetterStream,
  });
  const kinesis = kinesisClientOf(options);
  const observability = createObservability('kse-preprocess', options, [kinesis]);
  const preprocessor = createPreprocessor(options.preprocess);
  const now = options.now ?? Date.now;
  const deadLetterTarget = {
    kinesis,
    streamName: config.DEAD_LETTER_STREAM,
    logger: observability.logger,
  };

  return withObservability(observability, async (event, context) => {
    const report = newInvocationReport();
    const response = await processKinesisEvent(
      event,
      async (records) => {
        report.recordsIn += records.length;
        const inputs = toRawInputs(records);
        const result = preprocessor(inputs);
        report.retries += await sendDeadLetters(
          withStream(result.deadLetters, records[0]?.eventSourceARN),
          deadLetterTarget,
          options.putRecords,
        );
        report.deadLettered += result.deadLetters.length;
        const entries = result.records.map((timed) => ({
          partitionKey: String(timed.record.orderId),
          data: encodeRecord(timed.record),
        }));
        const put = await putRecordsAll(kinesis, config.OUTPUT_STREAM, entries, options.putRecords);
        report.retries += put.retries;
        report.recordsOut += entries.length;
        const end = now();
        for (const timed of result.records) report.latenciesMs.push(end - timed.arrivalTime);
      },
      {
        ...(context ? { lambdaContext: context } : {}),
        onDecodeFailure: deadLetterDecodeFailures(report, deadLetterTarget, options.putRecords),
      },
    );
    reportInvocation(observability, event, context, report, now());
    return response;
  });
}
