import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { RetryCounters, Sleep } from '@kse/core';
import { putRecordsBatch } from '@kse/replay';
import { LambdaError } from '../../errors.js';

/** Options of {@link putRecordsAll}: the re-sends of entries Kinesis did not accept. */
export interface PutRecordsAllOptions {
  /** Re-sends of failed entries before giving up; default 6. */
  maxRetries?: number;
  /** Time budget in ms of the re-sends of one call's entries; default 20,000. */
  budgetMs?: number;
  /** Backoff base and cap in ms; default 50 and 2,000. */
  backoff?: { baseMs: number; capMs: number };
  sleep?: Sleep;
  random?: () => number;
  /** Counts re-sent entries by kind (`kinesis.<ErrorCode>`). */
  retryCounters?: RetryCounters;
}

/**
 * Puts every entry with `@kse/replay`'s `putRecordsBatch` (the one PutRecords loop of kse:
 * ≤ 500 entries and ≤ 5 MiB a call, in order, failed entries re-sent with full-jitter
 * backoff; whole calls retried by the SDK). Throws `KSE_LAMBDA_AWS_FAILED` (retryable)
 * naming the records still failed and their error codes; the caller's invocation then
 * fails and Lambda retries the batch.
 */
export async function putRecordsAll(
  kinesis: KinesisClient,
  streamName: string,
  entries: readonly { partitionKey: string; data: Uint8Array }[],
  options: PutRecordsAllOptions = {},
): Promise<{ calls: number; retries: number }> {
  const backoff = options.backoff ?? { baseMs: 50, capMs: 2_000 };
  const result = await putRecordsBatch(kinesis, entries, {
    streamName,
    maxAttempts: (options.maxRetries ?? 6) + 1,
    budgetMs: options.budgetMs ?? 20_000,
    baseDelayMs: backoff.baseMs,
    maxDelayMs: backoff.capMs,
    sleep: options.sleep,
    random: options.random,
    retryCounters: options.retryCounters,
  });
  if (result.failed.length > 0) {
    const named = result.failed
      .slice(0, 3)
      .map((f) => `#${f.index} (key ${f.entry.partitionKey}): ${f.errorCode}`)
      .join(', ');
    throw new LambdaError(
      'KSE_LAMBDA_AWS_FAILED',
      `PutRecords to ${streamName}: ${result.failed.length} of ${entries.length} records not accepted: ${named}${
        result.failed.length > 3 ? ', …' : ''
      }`,
      { cause: result.error },
    );
  }
  return { calls: result.calls, retries: result.retries };
}
