import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { sdkClientConfig } from '@kse/core';
import type { DeadLetter, RawInput } from '@kse/enrich';
import type { SchemaError } from '@kse/schemas';
import type { KinesisDecodeFailure, KinesisUserRecord } from '../kinesisEvent.js';
import { originOf } from '../kinesisEvent.js';
import { sendDeadLetters, type DeadLetterTarget } from './deadLetters.js';
import type { InvocationReport, ObservabilityOptions } from './observability.js';
import type { PutRecordsAllOptions } from './putRecordsAll.js';

/** Options every handler factory takes. */
export interface HandlerBaseOptions extends ObservabilityOptions {
  /** Where configuration is read from when not given as an option; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Kinesis client (outputs, dead letters); default built once from the environment. */
  kinesis?: KinesisClient;
  /** DynamoDB client; default built once from the environment. */
  dynamodb?: DynamoDBClient;
  /** Stream for bad-input dead letters (env `DEAD_LETTER_STREAM`); without one they are logged. */
  deadLetterStream?: string;
  /** Retry settings of PutRecords (outputs and dead letters). */
  putRecords?: PutRecordsAllOptions;
  /** Clock, ms since the epoch. */
  now?: () => number;
}

// Built with @kse/core's client defaults (attempts, retry mode, timeouts): the SDK owns
// whole calls, our code PutRecords / BatchWriteItem partial failures, and the event source
// mapping the retry of a failed invocation.

/** The given Kinesis client, or one built from the environment (once, at cold start). */
export function kinesisClientOf(options: HandlerBaseOptions): KinesisClient {
  return options.kinesis ?? new KinesisClient(sdkClientConfig());
}

/** The given DynamoDB client, or one built from the environment (once, at cold start). */
export function dynamoDbClientOf(options: HandlerBaseOptions): DynamoDBClient {
  return options.dynamodb ?? new DynamoDBClient(sdkClientConfig());
}

/** A dead letter for a record that could not be decoded as a Kinesis record. */
export function decodeFailureDeadLetter(failure: KinesisDecodeFailure): DeadLetter {
  return {
    code: 'KSE_UTF8_INVALID',
    reason: failure.error.message,
    source: failure.record.eventID.split(':')[0],
    stream: failure.record.eventSourceARN,
    position: failure.record.kinesis.sequenceNumber,
    data: failure.record.kinesis.data,
  };
}

/** A dead letter for a user record whose content is bad input. */
export function schemaDeadLetter(record: KinesisUserRecord, error: SchemaError): DeadLetter {
  const origin = originOf(record);
  let data: string;
  try {
    data = new TextDecoder('utf-8', { fatal: true }).decode(record.data);
  } catch {
    // The same spelling as `@kse/enrich`'s dead letters: bytes that are not UTF-8 as `base64:…`.
    data = `base64:${Buffer.from(record.data).toString('base64')}`;
  }
  return {
    code: error.code,
    reason: error.reason,
    ...(origin.source === undefined ? {} : { source: origin.source }),
    stream: record.eventSourceARN,
    ...(origin.position === undefined ? {} : { position: origin.position }),
    data,
  };
}

/** An empty report for one invocation. */
export function newInvocationReport(): InvocationReport {
  return { recordsIn: 0, recordsOut: 0, deadLettered: 0, retries: 0, failed: 0, latenciesMs: [] };
}

/** Kinesis user records as `@kse/enrich` inputs: bytes, arrival time, sequence number, shard. */
export function toRawInputs(records: readonly KinesisUserRecord[]): RawInput[] {
  return records.map((record) => ({
    data: record.data,
    arrivalTime: record.approximateArrivalTimestampMs,
    position: record.sequenceNumber,
    source: record.shardId,
  }));
}

/**
 * The `onDecodeFailure` hook of the handlers: records that are not even decodable Kinesis
 * records are dead-lettered and counted in (and as dead-lettered) on the report.
 */
export function deadLetterDecodeFailures(
  report: InvocationReport,
  target: DeadLetterTarget,
  options: PutRecordsAllOptions | undefined,
): (failures: KinesisDecodeFailure[]) => Promise<void> {
  return async (failures) => {
    const letters = failures.map(decodeFailureDeadLetter);
    report.retries += await sendDeadLetters(letters, target, options);
    report.deadLettered += letters.length;
    report.recordsIn += letters.length;
  };
}
