import { randomUUID } from 'node:crypto';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

/** A Kinesis record as the event source mapping read it from a shard. */
export interface PolledRecord {
  sequenceNumber: string;
  partitionKey: string;
  /** The record's data, base64 (computed once when read). */
  data: string;
  /** Arrival time in the stream, ms since the epoch. */
  arrivalMs: number;
}

/** Where the records of an event come from. */
export interface EventSourceInfo {
  streamArn: string;
  shardId: string;
  region: string;
  /** Reported as `invokeIdentityArn`. */
  invokeIdentityArn: string;
}

/** Builds the `KinesisStreamEvent` Lambda would send for `records` of one shard. */
export function toKinesisStreamEvent(
  records: readonly PolledRecord[],
  source: EventSourceInfo,
): KinesisStreamEvent {
  return {
    Records: records.map((record): KinesisStreamRecord => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: record.data,
        approximateArrivalTimestamp: record.arrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${source.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: source.invokeIdentityArn,
      awsRegion: source.region,
      eventSourceARN: source.streamArn,
    })),
  };
}

/** Options of {@link createLambdaContext}. */
export interface LambdaContextOptions {
  functionName: string;
  region: string;
  accountId: string;
  /** Reported by `getRemainingTimeInMillis`; not enforced. */
  timeoutSeconds: number;
  memoryLimitInMB?: number;
  now?: () => number;
}

/** Builds a Lambda `Context` for one local invocation. */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutSeconds * 1000;
  const unsupported = (): never => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * A shard that is caught up (nothing unread, nothing in flight) and got no record: what
 * the local event source mapping hands a handler's `sweep` so that time moves on without
 * traffic (Lambda itself never invokes a function for an idle shard; on AWS a scheduled
 * sweeper does this job).
 */
export interface IdleShard {
  shardId: string;
  /** The stream's ARN, as in `eventSourceARN`. */
  streamArn: string;
  /**
   * Wall clock (ms) at which the shard was seen caught up: every record that arrived
   * before it has been processed.
   */
  now: number;
}
