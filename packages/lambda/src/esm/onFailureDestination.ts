import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { LIMITS } from '@kse/schemas';
import { LambdaError } from '../errors.js';

/** Why records were discarded, as Lambda names it in its on-failure invocation records. */
export type DiscardCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * One discarded record, as written to the on-failure destination. Unlike Lambda's own
 * on-failure record (batch metadata only), it carries the record's data, so that it can be
 * inspected and replayed.
 */
export interface DiscardedRecord {
  version: '1.0';
  /** When the record was discarded (ISO-8601). */
  timestamp: string;
  condition: DiscardCondition;
  /** The last error of the function, or why the record aged out. */
  reason: string;
  /** How many times the function was invoked with this record. */
  approximateInvokeCount: number;
  functionName: string;
  streamArn: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  /** Arrival time in the stream (ISO-8601). */
  approximateArrivalTimestamp: string;
  /** The record's data, base64 (as in the Lambda event). */
  data: string;
}

/** Where discarded records go: an NDJSON file, a Kinesis stream, or your own sink. */
export type OnFailureDestination =
  | { type: 'file'; path: string }
  | { type: 'kinesis'; streamName: string; kinesis: KinesisClient }
  | { type: 'custom'; send: (records: DiscardedRecord[]) => Promise<void> };

/** A destination ready to take records; throws `KSE_LAMBDA_DESTINATION_FAILED`. */
export type DestinationSender = (records: DiscardedRecord[]) => Promise<void>;

/** Builds the sender of an {@link OnFailureDestination}. */
export function createDestinationSender(destination: OnFailureDestination): DestinationSender {
  if (destination.type === 'custom') return destination.send;
  if (destination.type === 'file') {
    let ready: Promise<unknown> | undefined;
    // Appends are chained so that lines from concurrent lanes never interleave.
    let chain: Promise<void> = Promise.resolve();
    return (records) => {
      ready ??= mkdir(dirname(destination.path), { recursive: true });
      const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
      const write = chain.then(async () => {
        await ready;
        await appendFile(destination.path, text, 'utf8');
      });
      chain = write.catch(() => undefined);
      return write.catch((error: unknown) => {
        throw new LambdaError('KSE_LAMBDA_DESTINATION_FAILED', (error as Error).message, {
          cause: error,
        });
      });
    };
  }
  return async (records) => {
    for (let start = 0; start < records.length; start += LIMITS.kinesisPutRecordsMaxEntries) {
      let pending = records.slice(start, start + LIMITS.kinesisPutRecordsMaxEntries);
      // Failed entries are re-sent; the caller's backoff loop owns retries of a thrown error.
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt >= 5) {
          throw new LambdaError(
            'KSE_LAMBDA_DESTINATION_FAILED',
            `${pending.length} records still failed after 5 PutRecords attempts`,
          );
        }
        const batch = pending;
        const response = await destination.kinesis
          .send(
            new PutRecordsCommand({
              StreamName: destination.streamName,
              Records: batch.map((record) => ({
                Data: Buffer.from(JSON.stringify(record), 'utf8'),
                PartitionKey: record.partitionKey,
              })),
            }),
          )
          .catch((error: unknown) => {
            throw new LambdaError('KSE_LAMBDA_DESTINATION_FAILED', (error as Error).message, {
              cause: error,
            });
          });
        pending = batch.filter((_, index) => response.Records?.[index]?.ErrorCode !== undefined);
      }
    }
  };
}
