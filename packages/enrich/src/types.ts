import type { Order, OrderItem } from '@kse/schemas';

/**
 * One source record as a transport delivers it: the bytes (or text) and the time it
 * arrived (Kinesis `ApproximateArrivalTimestamp`, ms since the epoch).
 *
 * @example
 * ```ts
 * const input: RawInput = { data: record.kinesis.data, arrivalTime: record.kinesis.approximateArrivalTimestamp * 1000, position: record.kinesis.sequenceNumber };
 * ```
 */
export interface RawInput {
  /** UTF-8 bytes or text of one JSON record (a plain record or an AWS DMS envelope). */
  data: Uint8Array | string;
  /** Arrival time in ms since the epoch. */
  arrivalTime: number;
  /** A sequence number or line number, copied onto dead letters. */
  position?: string | number;
  /** A stream, file or S3 URI, copied onto dead letters. */
  source?: string;
}

/**
 * An order or an order item.
 *
 * @example
 * ```ts
 * const record: JoinInputRecord = timed.record; if (record.recordType === 'Order') console.log(record.shipToName);
 * ```
 */
export type JoinInputRecord = Order | OrderItem;

/**
 * A decoded, typed source record with its arrival time: what `preprocess` produces and
 * what the join consumes.
 *
 * @example
 * ```ts
 * const timed: TimedRecord = { record: order, arrivalTime: Date.now(), position: 1 };
 * ```
 */
export interface TimedRecord<R extends JoinInputRecord = JoinInputRecord> {
  record: R;
  /** Arrival time in ms since the epoch. */
  arrivalTime: number;
  position?: string | number;
  source?: string;
}
