import type { Order, OrderItem } from '@kse/schemas';

/**
 * One side of a join key held in state, with its join time and arrival time.
 *
 * @example
 * ```ts
 * const held: StoredEntry<OrderItem> = { record: item, time: 0, arrivalTime: 0, matched: false };
 * ```
 */
export interface StoredEntry<R> {
  record: R;
  /** The time the join compares (arrival or event time, per the join's `time` option). */
  time: number;
  /** Arrival time (ms since the epoch), for `event_ts` and trace fields. */
  arrivalTime: number;
  /** True once it produced at least one row. */
  matched: boolean;
  /**
   * For an order: how many of its items it produced rows with (an update of the order
   * that can no longer reach them all is dead-lettered, `KSE_JOIN_LATE_UPDATE`).
   */
  pairs?: number;
  position?: string | number;
  source?: string;
}

/**
 * The join state of one `orderId`: the order (if seen), its items (if seen), and the
 * earliest time at which some entry may expire.
 *
 * @example
 * ```ts
 * const state: JoinKeyState = { orderId: 10000001, order: undefined, items: [], expiresAt: 0 };
 * ```
 */
export interface JoinKeyState {
  orderId: number;
  order: StoredEntry<Order> | undefined;
  items: StoredEntry<OrderItem>[];
  /** `min(entry.time) + windowMs`: no entry can expire while the watermark ≤ this. */
  expiresAt: number;
  /**
   * A token that changes on every write of the key, set by a store that guards concurrent
   * writers when it reads (see {@link JoinStateCommit.ifUnchanged}).
   */
  version?: number;
}

/**
 * What a scope remembers besides its keys: how far its time has come, the source position
 * its last committed batch ended at, and whether it has taken over its parents' state
 * after a reshard.
 *
 * @example
 * ```ts
 * const meta: JoinScopeMeta = { maxTime: 1767225600000, maxArrival: 1767225600000, checkpoint: '4959…', adopted: true };
 * ```
 */
export interface JoinScopeMeta {
  /** The largest join time seen (or swept to), as committed; `undefined` on a fresh scope. */
  maxTime: number | undefined;
  /**
   * The wall-clock side of `maxTime`: the largest arrival time of a committed record, or
   * the wall clock of the latest committed sweep. An idle scope's join time moves on from
   * `maxTime` at the pace of the wall clock since then (see `IntervalJoin.sweep`).
   */
  maxArrival?: number | undefined;
  /**
   * Where the last committed batch ended in its source (a Kinesis sequence number): a
   * sweeper that runs beside the shard's own consumer sweeps only a shard that has no
   * record after it (see `@kse/lambda`'s sweeper).
   */
  checkpoint?: string | undefined;
  /** True once the scope took over its parents' state (after a reshard), or had none to take. */
  adopted?: boolean | undefined;
}

/**
 * What {@link JoinStateStore.get} returns: the states asked for and the scope's meta.
 *
 * @example
 * ```ts
 * const { states, maxTime }: JoinStateSnapshot = await store.get([10000001]);
 * ```
 */
export interface JoinStateSnapshot extends JoinScopeMeta {
  states: Map<number, JoinKeyState>;
}

/**
 * One write of the join's state after a batch, made only once the batch's rows and dead
 * letters are acknowledged (state follows output, never leads it). Keys are written
 * before the meta, so a commit cut short leaves the scope's meta (and so the watermark)
 * as it was, and the retried batch redoes the rest.
 *
 * @example
 * ```ts
 * await store.commit({ put: [state], delete: [10000002], maxTime: 1767225600000, maxArrival: 1767225600000 });
 * ```
 */
export interface JoinStateCommit extends JoinScopeMeta {
  put: JoinKeyState[];
  delete: number[];
  /**
   * Write (and delete) each key only if it has not changed since it was read (its
   * `version`); keys that changed are left alone and reported in
   * {@link JoinStateCommitResult.conflicts}, and the meta is not written. For a writer that
   * may race the shard's own consumer (the AWS sweeper). Default false.
   */
  ifUnchanged?: boolean;
  /** For `ifUnchanged`: the version of each key as it was read (absent: the key was absent). */
  versions?: ReadonlyMap<number, number | undefined>;
}

/**
 * What {@link JoinStateStore.commit} may report.
 *
 * @example
 * ```ts
 * const { conflicts } = (await store.commit({ put, delete: [], maxTime: undefined, ifUnchanged: true })) ?? { conflicts: [] };
 * ```
 */
export interface JoinStateCommitResult {
  /** Order ids left alone by an `ifUnchanged` commit because another writer changed them. */
  conflicts: number[];
}

/**
 * Where the interval join keeps its state between batches. Implementations:
 * {@link InMemoryJoinStore} (long-lived processes, tests) and {@link DynamoDbJoinStore}
 * (Lambda: state survives between invocations). A store is used by one join at a time
 * (one shard); the join validates every time itself, so a store may return expiring
 * states late (the join re-checks). The join writes only through {@link commit}, and only
 * after the batch's outputs are acknowledged.
 *
 * @example
 * ```ts
 * const join = new IntervalJoin({ store: new InMemoryJoinStore() });
 * ```
 */
export interface JoinStateStore {
  /** Loads the states of these order ids (absent ids are simply missing) and the scope's meta. */
  get(orderIds: readonly number[]): Promise<JoinStateSnapshot>;
  /** States whose `expiresAt` is below `watermark` (possibly a subset; the rest later). */
  expiring(watermark: number): Promise<JoinKeyState[]>;
  /** Every state held: what a child shard takes over from a finished parent after a reshard. */
  all(): Promise<JoinKeyState[]>;
  /**
   * Writes changed states, deletes emptied ones, then records the meta (when `maxTime`,
   * `maxArrival`, `checkpoint` or `adopted` is given, they replace the stored meta whole).
   */
  commit(change: JoinStateCommit): Promise<JoinStateCommitResult | void>;
}
