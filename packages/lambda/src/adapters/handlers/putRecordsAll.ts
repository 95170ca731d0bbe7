import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { LIMITS } from '@kse/schemas';
import { defaultSleep, fullJitterDelay, type Sleep } from '../../backoff.js';
import { LambdaError } from '../../errors.js';

/** Options of {@link putRecordsAll}. */
export interface PutRecordsAllOptions {
  /** Re-sends of failed entries before giving up; default 6. */
  maxRetries?: number;
  backoff?: { baseMs: number; capMs: number };
  sleep?: Sleep;
  random?: () => number;
}

/**
 * Puts every entry with PutRecords (≤ 500 entries and ≤ 5 MiB a call, in order), re-sending
 * entries that came back with an `ErrorCode` (throttling) with full-jitter backoff. Throws
 * `KSE_LAMBDA_AWS_FAILED` (retryable) when entries still fail; the caller's invocation
 * then fails and Lambda retries the batch.
 */
export async function putRecordsAll(
  kinesis: KinesisClient,
  streamName: string,
  entries: readonly { partitionKey: string; data: Uint8Array }[],
  options: PutRecordsAllOptions = {},
): Promise<{ calls: number; retries: number }> {
  const maxRetries = options.maxRetries ?? 6;
  const backoff = options.backoff ?? { baseMs: 50, capMs: 2_000 };
  const sleep = options.sleep ?? defaultSleep;
  let calls = 0;
  let retries = 0;
  for (const chunk of chunks(entries)) {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) {
        if (attempt > maxRetries) {
          throw new LambdaError(
            'KSE_LAMBDA_AWS_FAILED',
            `${pending.length} records to ${streamName} still failed after ${maxRetries} retries`,
          );
        }
        retries += pending.length;
        await sleep(fullJitterDelay(attempt, backoff, options.random));
      }
      calls += 1;
      const batch = pending;
      const response = await kinesis
        .send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: batch.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })),
          }),
        )
        .catch((error: unknown) => {
          throw new LambdaError(
            'KSE_LAMBDA_AWS_FAILED',
            `PutRecords to ${streamName}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        });
      pending = response.FailedRecordCount
        ? batch.filter((_, index) => response.Records?.[index]?.ErrorCode !== undefined)
        : [];
    }
  }
  return { calls, retries };
}

function* chunks<T extends { partitionKey: string; data: Uint8Array }>(
  entries: readonly T[],
): Generator<T[]> {
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.data.byteLength + Buffer.byteLength(entry.partitionKey);
    if (
      current.length > 0 &&
      (current.length >= LIMITS.kinesisPutRecordsMaxEntries ||
        bytes + size > LIMITS.kinesisPutRecordsMaxBytes)
    ) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) yield current;
}
