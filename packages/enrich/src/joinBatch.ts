import type { EnrichedOrderItem } from '@kse/schemas';
import type { DeadLetter } from './errors.js';

/**
 * Counters of an {@link IntervalJoin}: of committed batches (a batch whose outputs failed
 * and that was retried counts once), but for `discardedBatches`.
 *
 * @example
 * ```ts
 * const { rows, unmatchedItems, unmatchedOrders } = join.stats;
 * ```
 */
export interface JoinStats {
  orders: number;
  items: number;
  /** Orders seen again, with the same attributes, while a copy was in state (redelivery). */
  duplicateOrders: number;
  /** Items seen again, with the same attributes, while a copy was in state (redelivery). */
  duplicateItems: number;
  /** Orders seen again with other attributes while a copy was in state: the last copy won. */
  updatedOrders: number;
  /** Items seen again with other attributes while a copy was in state: the last copy won. */
  updatedItems: number;
  /** Rows emitted (a redelivered or updated pair is emitted again). */
  rows: number;
  /** Items dead-lettered with `KSE_JOIN_UNMATCHED`. */
  unmatchedItems: number;
  /** Orders removed from state by expiry. */
  expiredOrders: number;
  /** Of those, orders that never matched an item, dead-lettered with `KSE_JOIN_UNMATCHED_ORDER`. */
  unmatchedOrders: number;
  /** Rows whose product was not in the reference table (`productName: null`). */
  unknownProducts: number;
  /** Records whose time was already behind the watermark when they came. */
  lateRecords: number;
  /** Keys taken over from parent shards after a reshard. */
  adoptedKeys: number;
  /** Keys an `ifUnchanged` sweep left alone because the shard's own consumer changed them. */
  conflicts: number;
  /** Batches never committed (their outputs failed, or a later call came first). */
  discardedBatches: number;
}

/**
 * The outputs of one join call.
 *
 * @example
 * ```ts
 * const { rows, deadLetters }: JoinResult = await join.process(records);
 * ```
 */
export interface JoinResult {
  rows: EnrichedOrderItem[];
  deadLetters: DeadLetter[];
}

/**
 * One batch of the join: its outputs, and the state change behind them, which becomes
 * durable — and visible to the next call — only on {@link commit}. Send the rows and dead
 * letters, then commit. A batch not committed (its outputs failed, the process died) is
 * undone by the join's next call (or by {@link discard}), so the retried input reproduces
 * the same rows byte for byte.
 *
 * @example
 * ```ts
 * const batch = await join.process(records);
 * await send(batch.rows, batch.deadLetters); // throws: no commit, Lambda retries the batch
 * await batch.commit();
 * ```
 */
export interface JoinBatch extends JoinResult {
  /**
   * For each row of {@link JoinResult.rows}, the index (in the records given to
   * `process`) of the record whose arrival completed its pair. Rows of record `i` depend
   * only on the committed state and records `0…i`: a caller whose rows failed in part can
   * discard the batch and commit the prefix of records before the first failed row's
   * (a Kinesis partial batch response). Empty for `sweep`, `expire` and `flush`, which
   * emit no rows.
   */
  readonly rowInputs: readonly number[];
  /** This batch's counters (added to the join's `stats` on commit). */
  readonly stats: JoinStats;
  /**
   * Makes the state change durable. Call once the outputs are acknowledged; throws
   * `KSE_JOIN_BATCH_SUPERSEDED` (writing nothing) when a later call already undid the
   * batch, and `KSE_STATE_STORE_FAILED` when the store fails (a retry of the batch then
   * redoes what was not written).
   */
  commit(): Promise<void>;
  /** Undoes the state change now (the join's next call does it anyway). */
  discard(): Promise<void>;
}

/**
 * Options of {@link IntervalJoin.process}.
 *
 * @example
 * ```ts
 * await join.process(records, { checkpoint: event.Records.at(-1)?.kinesis.sequenceNumber });
 * ```
 */
export interface ProcessOptions {
  /**
   * Where the batch ends in its source (the last Kinesis sequence number), committed with
   * the state: a sweeper running beside the consumer tells an idle shard by it.
   */
  checkpoint?: string;
}

/**
 * Options of {@link IntervalJoin.sweep}.
 *
 * @example
 * ```ts
 * await join.sweep(Date.now(), { ifUnchanged: true });
 * ```
 */
export interface SweepOptions {
  /**
   * Commit each key only if the shard's own consumer has not changed it meanwhile, and
   * leave the scope's clock alone: for a sweeper that runs beside that consumer (on AWS).
   */
  ifUnchanged?: boolean;
}

/** Zeroed counters (internal). */
export function emptyStats(): JoinStats {
  return {
    orders: 0,
    items: 0,
    duplicateOrders: 0,
    duplicateItems: 0,
    updatedOrders: 0,
    updatedItems: 0,
    rows: 0,
    unmatchedItems: 0,
    expiredOrders: 0,
    unmatchedOrders: 0,
    unknownProducts: 0,
    lateRecords: 0,
    adoptedKeys: 0,
    conflicts: 0,
    discardedBatches: 0,
  };
}

/** Adds a batch's counters to a total (internal). */
export function addStats(total: JoinStats, batch: JoinStats): void {
  for (const key of Object.keys(batch) as (keyof JoinStats)[]) total[key] += batch[key];
}
