import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { LambdaError } from '../errors.js';
import {
  decodeKinesisEvent,
  type DecodeKinesisEventOptions,
  type KinesisDecodeFailure,
  type KinesisUserRecord,
} from './kinesisEvent.js';

/**
 * Builds a partial batch response from the sequence numbers of failed records. Lambda
 * re-drives the shard from the lowest reported sequence number (records before it are
 * checkpointed); an empty list means the whole batch succeeded. Duplicates (user records
 * of one KPL aggregate) are reported once, in the event's order.
 *
 * @example
 * ```ts
 * return toBatchResponse(event, failed.map((r) => r.sequenceNumber));
 * ```
 */
export function toBatchResponse(
  event: KinesisStreamEvent,
  failedSequenceNumbers: Iterable<string>,
): KinesisStreamBatchResponse {
  const failed = new Set(failedSequenceNumbers);
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    const sequenceNumber = record.kinesis.sequenceNumber;
    if (failed.delete(sequenceNumber)) batchItemFailures.push({ itemIdentifier: sequenceNumber });
  }
  for (const unknown of failed) {
    // Lambda treats an identifier that is not in the batch as a failure of the whole batch;
    // fail loudly here instead of sending it.
    throw new LambdaError(
      'KSE_LAMBDA_BATCH_FAILED',
      `sequence number ${unknown} reported as failed is not in the batch`,
      { sequenceNumber: unknown, retryable: false },
    );
  }
  return { batchItemFailures };
}

/** What a batch processor of {@link processKinesisEvent} returns. */
export interface BatchProcessResult {
  /** User records that failed and should be retried by Lambda. */
  failed?: Iterable<KinesisUserRecord>;
}

/** The core a Kinesis handler runs: typed user records in, retryable failures out. */
export type KinesisBatchProcessor = (
  records: KinesisUserRecord[],
  context: { event: KinesisStreamEvent; lambdaContext: Context | undefined },
) => Promise<BatchProcessResult | void>;

/** Options of {@link processKinesisEvent}. */
export interface ProcessKinesisEventOptions extends DecodeKinesisEventOptions {
  /**
   * Throw when every record of the batch failed (Lambda then retries the whole batch, and
   * `bisectBatchOnFunctionError` can split it). Default `true`; `false` returns every
   * record as a batch item failure instead.
   */
  throwOnFullBatchFailure?: boolean;
  /**
   * What to do with records that cannot be decoded (bad base64, corrupt KPL aggregate).
   * They are bad input: retrying cannot fix them. Default: report them as failures so the
   * event source mapping's retry budget and on-failure destination take them.
   */
  onDecodeFailure?: (failures: KinesisDecodeFailure[]) => Promise<void> | void;
}

/**
 * Runs a batch processor on a Kinesis event and turns its failures into the partial batch
 * response Lambda expects (`ReportBatchItemFailures` must be enabled on the mapping).
 *
 * @example
 * ```ts
 * export const handler = (event: KinesisStreamEvent, context: Context) =>
 *   processKinesisEvent(event, async (records) => {
 *     const failed = await writeAll(records); // the records that could not be written
 *     return { failed };
 *   }, { lambdaContext: context });
 * ```
 */
export async function processKinesisEvent(
  event: KinesisStreamEvent,
  processor: KinesisBatchProcessor,
  options: ProcessKinesisEventOptions & { lambdaContext?: Context } = {},
): Promise<KinesisStreamBatchResponse> {
  const { records, failures } = decodeKinesisEvent(event, options);
  const failed: string[] = [];
  if (failures.length > 0) {
    if (options.onDecodeFailure) await options.onDecodeFailure(failures);
    else for (const failure of failures) failed.push(failure.record.kinesis.sequenceNumber);
  }
  if (records.length > 0) {
    const result = await processor(records, { event, lambdaContext: options.lambdaContext });
    for (const record of result?.failed ?? []) failed.push(record.sequenceNumber);
  }
  const response = toBatchResponse(event, failed);
  if (
    (options.throwOnFullBatchFailure ?? true) &&
    event.Records.length > 0 &&
    response.batchItemFailures.length === event.Records.length
  ) {
    throw new LambdaError(
      'KSE_LAMBDA_BATCH_FAILED',
      `all ${event.Records.length} records of the batch failed`,
    );
  }
  return response;
}
