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
}

/**
 * What {@link JoinStateStore.get} returns.
 *
 * @example
 * ```ts
 * const { states, maxTime }: JoinStateSnapshot = await store.get([10000001]);
 * ```
 */
export interface JoinStateSnapshot {
  states: Map<number, JoinKeyState>;
  /** The largest join time seen so far, as committed; `undefined` on a fresh store. */
  maxTime: number | undefined;
}

/**
 * One atomic-enough write of the join's state after a batch.
 *
 * @example
 * ```ts
 * await store.commit({ put: [state], delete: [10000002], maxTime: 1767225600000 });
 * ```
 */
export interface JoinStateCommit {
  put: JoinKeyState[];
  delete: number[];
  /** The largest join time seen, to persist (never `±Infinity`). */
  maxTime: number | undefined;
}

/**
 * Where the interval join keeps its state between batches. Implementations:
 * {@link InMemoryJoinStore} (long-lived processes, tests) and {@link DynamoDbJoinStore}
 * (Lambda: state survives between invocations). A store is used by one join at a time
 * (one shard); the join validates every time itself, so a store may return expiring
 * states late (never early is not required either: the join re-checks).
 *
 * @example
 * ```ts
 * const join = new IntervalJoin({ store: new InMemoryJoinStore() });
 * ```
 */
export interface JoinStateStore {
  /** Loads the states of these order ids (absent ids are simply missing) and the max time. */
  get(orderIds: readonly number[]): Promise<JoinStateSnapshot>;
  /** States whose `expiresAt` is below `watermark` (possibly a subset; the rest later). */
  expiring(watermark: number): Promise<JoinKeyState[]>;
  /** Writes changed states, deletes emptied ones, and records the max time. */
  commit(change: JoinStateCommit): Promise<void>;
}
