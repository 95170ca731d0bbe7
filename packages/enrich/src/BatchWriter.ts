import type { AttributeValue, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import {
  LIMITS,
  SchemaError,
  dynamoItemSize,
  toDynamoItem,
  type EnrichedOrderItem,
} from '@kse/schemas';
import { Backoff, sleep, type RetryCounters, type Sleep } from '@kse/core';
import { EnrichError, invalidOption } from './errors.js';
import { loadDynamoDb } from './sdk.js';

/**
 * Options of {@link BatchWriter}.
 *
 * @example
 * ```ts
 * new BatchWriter({ client, tableName: 'OrdersEnriched', concurrency: 2, maxRetries: 5 });
 * ```
 */
export interface BatchWriterOptions {
  /** The DynamoDB client; build it once, outside a Lambda handler. */
  client: DynamoDBClient;
  /** Target table (key: `orderId` N, `itemId` N). */
  tableName: string;
  /** Most `BatchWriteItem` calls in flight. Default 4. */
  concurrency?: number;
  /** Re-sends of `UnprocessedItems` per chunk before giving up. Default 8. */
  maxRetries?: number;
  /** Backoff base in ms: the cap of the first re-send's delay. Default 50. */
  baseDelayMs?: number;
  /** Backoff cap in ms. Default 5,000. */
  maxDelayMs?: number;
  /** Items per call, ≤ 25. Default 25. */
  maxItemsPerCall?: number;
  /** Bytes per call, ≤ 16 MB. Default 16 MB. */
  maxBytesPerCall?: number;
  /** Injected for tests. Default: `sleep` of `@kse/core` (rejects on abort). */
  sleep?: Sleep;
  /** Injected for tests, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Stops waiting and retrying; unwritten rows are reported in the error. */
  signal?: AbortSignal;
  /** Counts items re-sent, as `dynamodb.UnprocessedItems`. */
  retryCounters?: RetryCounters;
}

/**
 * Defaults of {@link BatchWriterOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_BATCH_WRITER_OPTIONS.maxItemsPerCall; // 25
 * ```
 */
export const DEFAULT_BATCH_WRITER_OPTIONS = {
  concurrency: 4,
  maxRetries: 8,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
  maxItemsPerCall: LIMITS.dynamoDbBatchWriteMaxItems,
  maxBytesPerCall: LIMITS.dynamoDbBatchWriteMaxBytes,
} satisfies Partial<BatchWriterOptions>;

/**
 * Result of {@link BatchWriter.write}.
 *
 * @example
 * ```ts
 * const { written, retried, folded }: BatchWriteResult = await writer.write(rows);
 * ```
 */
export interface BatchWriteResult {
  /** Distinct rows written (duplicate keys folded, last wins). */
  written: number;
  /** Item re-sends because of `UnprocessedItems`. */
  retried: number;
  /** Rows not written (always 0 when `write` returns; see the error otherwise). */
  failed: number;
  /** Input rows folded into a later row with the same key. */
  folded: number;
  /** `BatchWriteItem` calls made. */
  calls: number;
}

// Request overhead per item besides the item itself (`PutRequest`, braces, table name share).
const PER_ITEM_OVERHEAD = 64;

/**
 * Writes enriched rows to DynamoDB with `BatchWriteItem`, and never drops one silently:
 * rows with the same key are folded first (last wins — DynamoDB rejects a call with
 * duplicate keys); calls carry ≤ 25 items and ≤ 16 MB; at most `concurrency` calls are in
 * flight; `UnprocessedItems` are re-sent with capped full-jitter exponential backoff;
 * after `maxRetries` (or a thrown, non-retried error) `write` throws `KSE_WRITE_FAILED`
 * listing every unwritten key in `unwrittenKeys`.
 *
 * @example
 * ```ts
 * const writer = new BatchWriter({ client: new DynamoDBClient({ maxAttempts: 3 }), tableName: 'OrdersEnriched' });
 * const { written, retried } = await writer.write(rows);
 * ```
 */
export class BatchWriter {
  private readonly settings: Required<Omit<BatchWriterOptions, 'signal' | 'retryCounters'>> & {
    signal: AbortSignal | undefined;
    retryCounters: RetryCounters | undefined;
  };

  constructor(options: BatchWriterOptions) {
    const s = {
      ...DEFAULT_BATCH_WRITER_OPTIONS,
      sleep,
      random: Math.random,
      ...options,
      signal: options.signal,
      retryCounters: options.retryCounters,
    };
    if (typeof s.tableName !== 'string' || s.tableName === '') {
      throw invalidOption('tableName', s.tableName, 'a table name');
    }
    if (!(Number.isInteger(s.concurrency) && s.concurrency >= 1)) {
      throw invalidOption('concurrency', s.concurrency, 'an integer ≥ 1');
    }
    if (!(Number.isInteger(s.maxRetries) && s.maxRetries >= 0)) {
      throw invalidOption('maxRetries', s.maxRetries, 'an integer ≥ 0');
    }
    if (
      !(s.baseDelayMs >= 0) ||
      !(s.maxDelayMs >= s.baseDelayMs && Number.isFinite(s.maxDelayMs))
    ) {
      throw invalidOption(
        'maxDelayMs',
        s.maxDelayMs,
        `a finite number of ms ≥ baseDelayMs (${s.baseDelayMs})`,
      );
    }
    const maxItems = LIMITS.dynamoDbBatchWriteMaxItems;
    if (!(
      Number.isInteger(s.maxItemsPerCall) &&
      s.maxItemsPerCall >= 1 &&
      s.maxItemsPerCall <= maxItems
    )) {
      throw invalidOption('maxItemsPerCall', s.maxItemsPerCall, `an integer in 1..${maxItems}`);
    }
    const maxBytes = LIMITS.dynamoDbBatchWriteMaxBytes;
    if (!(s.maxBytesPerCall > 0 && s.maxBytesPerCall <= maxBytes)) {
      throw invalidOption(
        'maxBytesPerCall',
        s.maxBytesPerCall,
        `a number of bytes in 1..${maxBytes}`,
      );
    }
    this.settings = s;
  }

  /**
   * Writes every row, or throws `KSE_WRITE_FAILED` with the keys that were not written
   * (the rest were written).
   */
  async write(rows: readonly EnrichedOrderItem[]): Promise<BatchWriteResult> {
    const s = this.settings;
    const folded = new Map<
      string,
      { key: string; item: Record<string, AttributeValue>; size: number }
    >();
    const failures: { key: string; reason: string }[] = [];
    let invalid = 0;
    for (const row of rows) {
      const key = `${row.orderId}/${row.itemId}`;
      try {
        const mapped = toDynamoItem(row);
        folded.delete(key); // re-insert so that the last write keeps its position
        folded.set(key, {
          key,
          item: mapped as Record<string, AttributeValue>,
          size: dynamoItemSize(mapped) + PER_ITEM_OVERHEAD,
        });
      } catch (error) {
        if (!(error instanceof SchemaError)) throw error;
        folded.delete(key);
        invalid += 1;
        failures.push({ key, reason: `${error.code}: ${error.reason}` });
      }
    }
    const chunks: { key: string; item: Record<string, AttributeValue> }[][] = [];
    let chunk: { key: string; item: Record<string, AttributeValue> }[] = [];
    let chunkBytes = 0;
    for (const entry of folded.values()) {
      if (
        chunk.length >= s.maxItemsPerCall ||
        (chunk.length > 0 && chunkBytes + entry.size > s.maxBytesPerCall)
      ) {
        chunks.push(chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(entry);
      chunkBytes += entry.size;
    }
    if (chunk.length > 0) chunks.push(chunk);

    const result: BatchWriteResult = {
      written: 0,
      retried: 0,
      failed: 0,
      folded: rows.length - folded.size - failures.length,
      calls: 0,
    };
    const attempts: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const mine = chunks[next]!;
        next += 1;
        await this.writeChunk(mine, result, failures, attempts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(s.concurrency, chunks.length) }, worker));
    result.failed = failures.length;
    if (failures.length > 0) {
      throw new EnrichError(
        'KSE_WRITE_FAILED',
        `${failures.length} of ${folded.size + invalid} rows not written to ${s.tableName}: ${failures
          .slice(0, 5)
          .map((f) => `${f.key} (${f.reason})`)
          .join(', ')}${failures.length > 5 ? ', …' : ''}`,
        {
          unwrittenKeys: failures.map((f) => f.key),
          attempts,
          source: s.tableName,
          retryable: failures.every(
            (f) => !f.reason.startsWith('KSE_ITEM') && !f.reason.startsWith('non-retryable'),
          ),
        },
      );
    }
    return result;
  }

  private async writeChunk(
    chunk: { key: string; item: Record<string, AttributeValue> }[],
    result: BatchWriteResult,
    failures: { key: string; reason: string }[],
    attempts: string[],
  ): Promise<void> {
    const s = this.settings;
    const keyOf = (request: WriteRequest): string => {
      const item = request.PutRequest?.Item ?? {};
      return `${item.orderId?.N ?? '?'}/${item.itemId?.N ?? '?'}`;
    };
    const { BatchWriteItemCommand } = await loadDynamoDb();
    // The first call plus maxRetries re-sends; the same delays as ever (retry n waits up to
    // baseDelayMs · 2^(n-1)).
    const backoff = new Backoff({
      maxAttempts: s.maxRetries + 1,
      baseDelayMs: s.baseDelayMs,
      maxDelayMs: s.maxDelayMs,
      sleep: s.sleep,
      random: s.random,
      signal: s.signal,
    });
    let pending: WriteRequest[] = chunk.map((entry) => ({ PutRequest: { Item: entry.item } }));
    for (;;) {
      let unprocessed: WriteRequest[];
      try {
        result.calls += 1;
        const response = await s.client.send(
          new BatchWriteItemCommand({ RequestItems: { [s.tableName]: pending } }),
          s.signal === undefined ? undefined : { abortSignal: s.signal },
        );
        unprocessed = response.UnprocessedItems?.[s.tableName] ?? [];
      } catch (error) {
        // The SDK has already retried the whole call as far as the client's maxAttempts allows.
        const err = error as Error & { $retryable?: unknown; $fault?: string };
        const kind =
          err.$retryable !== undefined || err.$fault === 'server' ? 'retryable' : 'non-retryable';
        const reason = `${kind} ${err.name}: ${err.message}`;
        attempts.push(backoff.fail(reason));
        for (const request of pending) failures.push({ key: keyOf(request), reason });
        return;
      }
      result.written += pending.length - unprocessed.length;
      if (unprocessed.length === 0) return;
      attempts.push(backoff.fail(`${unprocessed.length} of ${pending.length} unprocessed`));
      if (backoff.exhausted || s.signal?.aborted) {
        const reason = s.signal?.aborted
          ? 'aborted'
          : `unprocessed after ${backoff.failures} attempts`;
        for (const request of unprocessed) failures.push({ key: keyOf(request), reason });
        return;
      }
      result.retried += unprocessed.length;
      s.retryCounters?.add('dynamodb.UnprocessedItems', unprocessed.length);
      try {
        await backoff.wait();
      } catch {
        for (const request of unprocessed)
          failures.push({ key: keyOf(request), reason: 'aborted' });
        return;
      }
      pending = unprocessed;
    }
  }
}
