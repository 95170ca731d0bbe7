import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { Backoff, describeError, type RetryCounters, type Sleep } from '@kse/core';
import { LIMITS } from '@kse/schemas';

/** One record to put: the bytes and the partition key (anything else rides along). */
export interface PutRecordsEntry {
  partitionKey: string;
  data: Uint8Array;
}

/**
 * An entry Kinesis did not accept: its index in the input, the last error code
 * (`ProvisionedThroughputExceededException`, `InternalFailure`, … for an entry; the error's
 * name, e.g. `ResourceNotFoundException`, when the whole call failed after the SDK's own
 * retries; `Aborted` when the signal stopped the loop first) and every try's error.
 */
export interface PutRecordsFailure<E extends PutRecordsEntry> {
  entry: E;
  index: number;
  errorCode: string;
  errorMessage: string;
  /** Whether a later try may succeed (throttling, internal failure, budget spent). */
  retryable: boolean;
  /** Every failed try of this entry, oldest first. */
  attempts: string[];
}

/** Result of {@link putRecordsBatch}. */
export interface PutRecordsBatchResult<E extends PutRecordsEntry> {
  /** Entries Kinesis acknowledged. */
  sent: number;
  /** Entries not acknowledged, in input order: dead-letter them or fail the batch. */
  failed: PutRecordsFailure<E>[];
  /** PutRecords calls made. */
  calls: number;
  /** Entries re-sent after a per-entry failure. */
  retries: number;
  /** The error of a whole call that failed after the SDK's retries, if one stopped it. */
  error?: unknown;
}

/** Options of {@link putRecordsBatch}. */
export interface PutRecordsBatchOptions<E extends PutRecordsEntry> {
  /** Target stream by name… */
  streamName?: string;
  /** …or by ARN. */
  streamArn?: string;
  /** Tries per entry, the first included. Default 8. */
  maxAttempts?: number;
  /** Time budget in ms for the re-sends of one chunk. Default 30,000. */
  budgetMs?: number;
  /** Backoff base in ms. Default 100. */
  baseDelayMs?: number;
  /** Backoff cap in ms. Default 5,000. */
  maxDelayMs?: number;
  /** Entries per call, ≤ 500. Default 500. */
  maxEntriesPerCall?: number;
  /** Bytes per call (data + partition keys), ≤ 5 MiB. Default 5 MiB. */
  maxBytesPerCall?: number;
  sleep?: Sleep;
  random?: () => number;
  /**
   * Stops the re-sends: what is not acknowledged comes back failed (`Aborted`). A call on
   * the wire is not aborted, so that its outcome stays known.
   */
  signal?: AbortSignal;
  /** Counts re-sent entries by kind (`kinesis.<ErrorCode>`). */
  retryCounters?: RetryCounters;
  /** Called once per entry, when Kinesis has acknowledged it. */
  onAccepted?: (entry: E, index: number) => void;
}

/**
 * Defaults of {@link PutRecordsBatchOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_PUT_RECORDS_OPTIONS.maxAttempts; // 8
 * ```
 */
export const DEFAULT_PUT_RECORDS_OPTIONS = {
  maxAttempts: 8,
  budgetMs: 30_000,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  maxEntriesPerCall: LIMITS.kinesisPutRecordsMaxEntries,
  maxBytesPerCall: LIMITS.kinesisPutRecordsMaxBytes,
} satisfies PutRecordsBatchOptions<PutRecordsEntry>;

/** PutRecords entry error codes worth re-sending (the rest are final). */
const RETRYABLE_ENTRY_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'InternalFailureException',
  'KMSThrottlingException',
  'ServiceUnavailable',
]);

/**
 * True when a PutRecords entry `ErrorCode` is worth re-sending.
 *
 * @example
 * ```ts
 * isRetryableEntryCode('ProvisionedThroughputExceededException'); // true
 * ```
 */
export function isRetryableEntryCode(code: string): boolean {
  return RETRYABLE_ENTRY_CODES.has(code);
}

/**
 * The one PutRecords loop of kse (the replayer's producer and the Lambda handlers both use
 * it): splits `entries` into calls of ≤ 500 entries and ≤ 5 MiB, in order; re-sends only
 * the entries that came back with a retryable `ErrorCode`, with `@kse/core`'s full-jitter
 * backoff, until each has had `maxAttempts` tries or `budgetMs` is spent; returns the entries
 * still not acknowledged, each with its error code, so that the caller dead-letters them or
 * fails its batch. Whole-call failures (throttling, 5xx, timeouts, resets) are the SDK's to
 * retry: when a call still throws, its entries and every later one come back failed with the
 * error's name, and the loop stops. An entry counts as sent only once Kinesis acknowledged
 * it. It never throws.
 *
 * @example
 * ```ts
 * const { failed } = await putRecordsBatch(kinesis, entries, { streamName: 'enriched' });
 * if (failed.length > 0) throw putRecordsFailedError('enriched', failed);
 * ```
 */
export async function putRecordsBatch<E extends PutRecordsEntry>(
  kinesis: KinesisClient,
  entries: readonly E[],
  options: PutRecordsBatchOptions<E> = {},
): Promise<PutRecordsBatchResult<E>> {
  const o = { ...DEFAULT_PUT_RECORDS_OPTIONS, ...stripUndefined(options) };
  const result: PutRecordsBatchResult<E> = { sent: 0, failed: [], calls: 0, retries: 0 };
  const chunks = chunk(entries, o.maxEntriesPerCall, o.maxBytesPerCall);
  for (const [position, indexes] of chunks.entries()) {
    const backoff = new Backoff({
      maxAttempts: o.maxAttempts,
      budgetMs: o.budgetMs,
      baseDelayMs: o.baseDelayMs,
      maxDelayMs: o.maxDelayMs,
      sleep: o.sleep,
      random: o.random,
      signal: o.signal,
    });
    const attempts = new Map<number, string[]>(indexes.map((index) => [index, []]));
    const fail = (index: number, errorCode: string, errorMessage: string, retryable: boolean) => {
      result.failed.push({
        entry: entries[index]!,
        index,
        errorCode,
        errorMessage,
        retryable,
        attempts: attempts.get(index) ?? [],
      });
    };
    let pending = indexes;
    while (pending.length > 0) {
      if (backoff.failures > 0) {
        try {
          await backoff.wait();
        } catch (error) {
          for (const index of pending) fail(index, 'Aborted', describeError(error), true);
          pending = [];
          break;
        }
        result.retries += pending.length;
      }
      result.calls += 1;
      let results: { ErrorCode?: string; ErrorMessage?: string }[];
      try {
        const output = await kinesis.send(
          new PutRecordsCommand({
            StreamName: o.streamName,
            StreamARN: o.streamArn,
            Records: pending.map((index) => ({
              Data: entries[index]!.data,
              PartitionKey: entries[index]!.partitionKey,
            })),
          }),
        );
        results = output.Records ?? [];
        if (results.length !== pending.length) {
          throw Object.assign(
            new Error(`PutRecords returned ${results.length} results for ${pending.length}`),
            { name: 'InternalFailure' },
          );
        }
      } catch (error) {
        // The SDK has retried the whole call as far as its strategy allows.
        result.error = error;
        const name = error instanceof Error ? error.name : 'Error';
        const message = describeError(error);
        const retryable = isRetryableCallError(error);
        const rest = [...pending, ...chunks.slice(position + 1).flat()];
        for (const index of rest) {
          attempts.get(index)?.push(message);
          fail(index, name, message, retryable);
        }
        return result;
      }
      const retry: number[] = [];
      for (const [i, outcome] of results.entries()) {
        const index = pending[i]!;
        if (outcome.ErrorCode === undefined || outcome.ErrorCode === null) {
          result.sent += 1;
          o.onAccepted?.(entries[index]!, index);
          continue;
        }
        const message = `${outcome.ErrorCode}: ${outcome.ErrorMessage ?? ''}`.trim();
        attempts.get(index)!.push(message);
        if (isRetryableEntryCode(outcome.ErrorCode)) retry.push(index);
        else fail(index, outcome.ErrorCode, outcome.ErrorMessage ?? '', false);
      }
      if (retry.length > 0) {
        backoff.fail(`${retry.length} of ${pending.length} entries not accepted`);
        if (backoff.exhausted) {
          for (const index of retry) {
            const last = attempts.get(index)!.at(-1)!;
            fail(
              index,
              last.split(':')[0]!,
              `not accepted after ${backoff.failures} tries; last ${last}`,
              true,
            );
          }
          break;
        }
        for (const index of retry) {
          o.retryCounters?.add(`kinesis.${attempts.get(index)!.at(-1)!.split(':')[0]!}`);
        }
      }
      pending = retry;
    }
  }
  result.failed.sort((a, b) => a.index - b.index);
  return result;
}

/** Entry indexes in calls of at most `maxEntries` entries and `maxBytes` bytes, in order. */
function chunk(
  entries: readonly PutRecordsEntry[],
  maxEntries: number,
  maxBytes: number,
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const [index, entry] of entries.entries()) {
    const size = entry.data.byteLength + Buffer.byteLength(entry.partitionKey);
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

// Whole-call errors that may succeed later: the SDK retried them and gave up, so they are
// reported as retryable (budget spent), not as a rejection.
const RETRYABLE_CALL_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'LimitExceededException',
  'KMSThrottlingException',
  'TimeoutError',
  'InternalFailure',
]);

/** Whether a whole call's error (after the SDK's retries) may succeed later. */
function isRetryableCallError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    $retryable?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: number };
    name?: unknown;
    code?: unknown;
  };
  const status = e.$metadata?.httpStatusCode ?? 0;
  return (
    (e.$retryable !== undefined && e.$retryable !== null) ||
    (typeof e.name === 'string' && RETRYABLE_CALL_ERRORS.has(e.name)) ||
    (typeof e.code === 'string' && e.code.startsWith('E')) ||
    e.$fault === 'server' ||
    status === 429 ||
    status >= 500
  );
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
