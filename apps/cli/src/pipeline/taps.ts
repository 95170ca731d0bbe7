import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LatencyRecorder } from '../report/index.js';
import { LandedIndex } from '../verify/index.js';

// Middleware names must be unique per client stack.
let taps = 0;

/** Where a tap counts the entries it saw come back for a re-send, by kind (`RetryCounters`). */
export interface RetrySink {
  add(kind: string, count?: number): void;
}

type Attr = { N?: string; S?: string };
type Item = Record<string, Attr>;
type WriteRequest = { PutRequest?: { Item?: Item } };

/** What {@link tapTableWrites} counts. */
export interface WriteTap {
  /** Rows acknowledged by DynamoDB (a row written twice counts twice). */
  readonly written: number;
  /** Distinct keys acknowledged: the rows that have landed. */
  readonly landed: number;
  /** Items DynamoDB returned as unprocessed (re-sent by the writer). */
  readonly unprocessed: number;
  /** Counts a row that is in the table already (a resumed run's earlier rows) as landed. */
  markLanded(item: Item): void;
}

/**
 * Watches a DynamoDB client's `BatchWriteItem` calls to `tableName` (an SDK middleware,
 * so it sees exactly what the service acknowledged, after the SDK's own retries): counts
 * written rows and distinct keys, and records each row's end-to-end latency — from its
 * source record's arrival in the source stream (the later of `order_arrival_ts` and
 * `item_arrival_ts`) to the acknowledgement.
 */
export function tapTableWrites(
  client: DynamoDBClient,
  tableName: string,
  latency: LatencyRecorder,
  now: () => number = Date.now,
  retries?: RetrySink,
): WriteTap {
  // Distinct keys: integer ids by number; any other key by its attributes' text, exactly.
  const keys = new LandedIndex();
  const otherKeys = new Set<string>();
  const land = (item: Item): void => {
    const orderId = Number(item.orderId?.N);
    const itemId = Number(item.itemId?.N);
    if (Number.isSafeInteger(orderId) && Number.isSafeInteger(itemId)) {
      keys.add({ orderId, itemId }, 0);
    } else {
      otherKeys.add(keyText(item));
    }
  };
  const tap = {
    written: 0,
    unprocessed: 0,
    get landed() {
      return keys.size + otherKeys.size;
    },
    markLanded: land,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'BatchWriteItemCommand') return result;
      const ackAt = now();
      const input = args.input as { RequestItems?: Record<string, WriteRequest[]> };
      const requests = input.RequestItems?.[tableName];
      if (requests === undefined) return result;
      const output = result.output as { UnprocessedItems?: Record<string, WriteRequest[]> };
      // Usually empty: a key string per row is made only when it is not.
      const unprocessed = new Set<string>();
      for (const request of output.UnprocessedItems?.[tableName] ?? []) {
        const item = request.PutRequest?.Item;
        if (item !== undefined) unprocessed.add(keyText(item));
      }
      tap.unprocessed += unprocessed.size;
      retries?.add('dynamodb.UnprocessedItems', unprocessed.size);
      for (const request of requests) {
        const item = request.PutRequest?.Item;
        if (item === undefined) continue;
        if (unprocessed.size > 0 && unprocessed.has(keyText(item))) continue;
        tap.written += 1;
        land(item);
        const arrival = Math.max(
          Number(item.order_arrival_ts?.N ?? Number.NaN),
          Number(item.item_arrival_ts?.N ?? Number.NaN),
        );
        if (Number.isFinite(arrival)) latency.add(Math.max(0, ackAt - arrival));
      }
      return result;
    },
    { step: 'initialize', name: `kseRunTableWriteTap-${++taps}` },
  );
  return tap;
}

function keyText(item: Item): string {
  return `${item.orderId?.N}/${item.itemId?.N}`;
}

/** What {@link tapStreamPuts} counts. */
export interface PutTap {
  /** Records the stream accepted. */
  readonly accepted: number;
  /** Records the stream rejected in a partial failure (re-sent by the producer). */
  readonly failed: number;
}

/**
 * Counts the records a Kinesis client's `PutRecords` calls put into `streamName`, and the
 * entries that came back failed (re-sent by the handlers) into `retries` as
 * `kinesis.<ErrorCode>`.
 */
export function tapStreamPuts(
  client: KinesisClient,
  streamName: string,
  retries?: RetrySink,
): PutTap {
  const tap = { accepted: 0, failed: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'PutRecordsCommand') return result;
      const input = args.input as { StreamName?: string; StreamARN?: string; Records?: unknown[] };
      const target = input.StreamName ?? input.StreamARN?.split('/').pop();
      if (target !== streamName) return result;
      const output = result.output as {
        FailedRecordCount?: number;
        Records?: { ErrorCode?: string }[];
      };
      const failed = output.FailedRecordCount ?? 0;
      tap.accepted += (input.Records?.length ?? 0) - failed;
      tap.failed += failed;
      if (failed > 0) countFailedEntries(output.Records, retries);
      return result;
    },
    { step: 'initialize', name: `kseRunStreamPutTap-${++taps}` },
  );
  return tap;
}

/** What {@link tapDeadLetters} counts. */
export interface DeadLetterTap extends PutTap {
  /**
   * Dead letters the stream accepted, by their `code` (`KSE_JOIN_UNMATCHED`,
   * `KSE_JOIN_UNMATCHED_ORDER`, `KSE_SCHEMA_INVALID`…); `unknown` for one without a code.
   */
  readonly byCode: Readonly<Record<string, number>>;
}

/**
 * {@link tapStreamPuts} for the dead-letter stream, that also reads each accepted dead
 * letter's `code` (the handlers put `DeadLetter` JSON there): the run's counters tell an
 * unmatched item from an unmatched order from a bad record.
 */
export function tapDeadLetters(
  client: KinesisClient,
  streamName: string,
  retries?: RetrySink,
): DeadLetterTap {
  const byCode: Record<string, number> = {};
  const tap = { accepted: 0, failed: 0, byCode };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'PutRecordsCommand') return result;
      const input = args.input as {
        StreamName?: string;
        StreamARN?: string;
        Records?: { Data?: Uint8Array }[];
      };
      const target = input.StreamName ?? input.StreamARN?.split('/').pop();
      if (target !== streamName) return result;
      const output = result.output as { Records?: { ErrorCode?: string }[] };
      countFailedEntries(output.Records, retries);
      (input.Records ?? []).forEach((record, i) => {
        if (output.Records?.[i]?.ErrorCode !== undefined) {
          tap.failed += 1;
          return;
        }
        tap.accepted += 1;
        const code = codeOf(record.Data);
        byCode[code] = (byCode[code] ?? 0) + 1;
      });
      return result;
    },
    { step: 'initialize', name: `kseRunDeadLetterTap-${++taps}` },
  );
  return tap;
}

// PutRecords entries that failed, by `kinesis.<ErrorCode>`.
function countFailedEntries(
  records: { ErrorCode?: string }[] | undefined,
  retries: RetrySink | undefined,
): void {
  if (retries === undefined) return;
  for (const record of records ?? []) {
    if (record.ErrorCode !== undefined) retries.add(`kinesis.${record.ErrorCode}`);
  }
}

function codeOf(data: Uint8Array | undefined): string {
  if (data === undefined) return 'unknown';
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code : 'unknown';
  } catch {
    return 'unknown';
  }
}
