import {
  isEnrichError,
  type BatchWriter,
  type DeadLetter,
  type EnrichError,
  type IntervalJoin,
  type JoinBatch,
  type TimedRecord,
} from '@kse/enrich';
import type { EnrichedOrderItem } from '@kse/schemas';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { KinesisUserRecord } from '../kinesisEvent.js';

/** One batch of the fused topology, joined and not yet committed. */
export interface FusedBatch {
  event: KinesisStreamEvent;
  /** The batch's user records, in event order (their `position` below is the sequence number). */
  records: readonly KinesisUserRecord[];
  /** The records the join was given, and preprocess's dead letters. */
  pre: { records: readonly TimedRecord[]; deadLetters: readonly DeadLetter[] };
  join: IntervalJoin;
  /** The join's batch of `pre.records` (its `checkpoint`: the event's last sequence number). */
  batch: JoinBatch;
}

/** Where a fused batch's outputs go. */
export interface FusedOutputs {
  writer: BatchWriter;
  /** Sends dead letters (their stream added); throws when they are not acknowledged. */
  sendDeadLetters(letters: DeadLetter[]): Promise<void>;
  /** Rows DynamoDB acknowledged, and the item re-sends it took. */
  written(rows: readonly EnrichedOrderItem[], retried: number): void;
  /** Says that some rows were not written and what the batch response will name. */
  partial(error: EnrichError, failed: number, committed: number): void;
}

/**
 * Delivers a fused batch and commits the join state behind what was delivered: rows
 * first, then dead letters, then the commit. When the writer gives up on some rows
 * (`KSE_WRITE_FAILED` after its own retry budget), the batch does not fail whole: the
 * records whose rows were not written are returned, for a partial batch response. Lambda
 * then checkpoints the records before the first of them and retries from it, so the state
 * committed is that of those records only: the batch is discarded and its prefix joined
 * again (the same rows, already written), its dead letters sent, and committed. Any other
 * failure throws (the caller discards the batch; Lambda retries it whole).
 *
 * @returns the user records to report as batch item failures (none when all was written)
 */
export async function deliverFused(
  fused: FusedBatch,
  outputs: FusedOutputs,
): Promise<KinesisUserRecord[]> {
  const { batch, pre } = fused;
  try {
    const result = await outputs.writer.write(batch.rows);
    outputs.written(batch.rows, result.retried);
  } catch (error) {
    if (!isEnrichError(error) || error.code !== 'KSE_WRITE_FAILED') throw error;
    return commitBeforeFailure(fused, outputs, error);
  }
  await outputs.sendDeadLetters([...pre.deadLetters, ...batch.deadLetters]);
  await batch.commit();
  return [];
}

// The partial path: finds the first event record with a row not written, commits the
// records before it, returns the records whose rows were not written.
async function commitBeforeFailure(
  fused: FusedBatch,
  outputs: FusedOutputs,
  failure: EnrichError,
): Promise<KinesisUserRecord[]> {
  const { event, records, pre, join, batch } = fused;
  const eventIndex = new Map<string, number>();
  for (const record of records) eventIndex.set(record.sequenceNumber, record.index);
  const indexOf = (position: string | number | undefined): number =>
    eventIndex.get(String(position)) ?? Number.NaN;
  const unwritten = new Set(failure.unwrittenKeys);
  const failedSequenceNumbers = new Set<string>();
  let cut = Number.POSITIVE_INFINITY;
  const rowEvent = batch.rows.map((row, i) => {
    const index = indexOf(pre.records[batch.rowInputs[i]!]?.position);
    if (unwritten.has(`${row.orderId}/${row.itemId}`)) {
      failedSequenceNumbers.add(String(pre.records[batch.rowInputs[i]!]?.position));
      cut = Math.min(cut, index);
    }
    return index;
  });
  // Unwritten keys that no row of a known record explains: nothing to cut at.
  if (!Number.isInteger(cut)) throw failure;
  const written = batch.rows.filter((row) => !unwritten.has(`${row.orderId}/${row.itemId}`));
  outputs.written(written, 0);
  await batch.discard();
  const failed = records.filter((record) => failedSequenceNumbers.has(record.sequenceNumber));
  outputs.partial(failure, failed.length, cut);
  if (cut === 0) return failed;

  // The records before the cut, joined again from the state before the batch: the rows of
  // a record depend only on the state and the records before it, so these are rows the
  // writer has just written (checked: anything else fails the batch whole, as before).
  const before = pre.records.filter((record) => indexOf(record.position) < cut);
  const prefix = await join.process(before, {
    checkpoint: event.Records[cut - 1]!.kinesis.sequenceNumber,
  });
  try {
    const expected = batch.rows.filter((_, i) => rowEvent[i]! < cut);
    if (JSON.stringify(prefix.rows) !== JSON.stringify(expected)) throw failure;
    await outputs.sendDeadLetters([
      ...pre.deadLetters.filter((letter) => indexOf(letter.position) < cut),
      ...prefix.deadLetters,
    ]);
    await prefix.commit();
  } catch (error) {
    await prefix.discard();
    throw error;
  }
  return failed;
}
