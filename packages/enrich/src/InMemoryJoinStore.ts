import { EnrichError, invalidOption } from './errors.js';
import type {
  JoinKeyState,
  JoinStateCommit,
  JoinStateSnapshot,
  JoinStateStore,
} from './joinState.js';
import { MinHeap } from './minHeap.js';

/**
 * Options of {@link InMemoryJoinStore}.
 *
 * @example
 * ```ts
 * new InMemoryJoinStore({ maxKeys: 200_000, bucketMs: 500 });
 * ```
 */
export interface InMemoryJoinStoreOptions {
  /**
   * Most order ids held at once; a commit beyond it throws `KSE_STATE_STORE_FAILED`
   * (memory stays bounded, loudly). Default 2,000,000.
   */
  maxKeys?: number;
  /** Width of an expiry bucket in ms; expiry is found per whole bucket. Default 1,000. */
  bucketMs?: number;
}

/**
 * Defaults of {@link InMemoryJoinStoreOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_IN_MEMORY_JOIN_STORE_OPTIONS.maxKeys; // 2000000
 * ```
 */
export const DEFAULT_IN_MEMORY_JOIN_STORE_OPTIONS = {
  maxKeys: 2_000_000,
  bucketMs: 1_000,
} satisfies InMemoryJoinStoreOptions;

/**
 * Join state in process memory, for long-lived processes and tests. Bounded by
 * `maxKeys`; expiry costs amortised O(1) per key: keys are indexed in time buckets
 * (`bucketMs` wide) whose indexes sit in a small heap, and a bucket is taken whole once
 * the watermark passes its end — no scan of live state. States are shared, not copied.
 *
 * @example
 * ```ts
 * const join = new IntervalJoin({ store: new InMemoryJoinStore({ maxKeys: 500_000 }) });
 * ```
 */
export class InMemoryJoinStore implements JoinStateStore {
  private readonly states = new Map<number, JoinKeyState>();
  /** orderId → the `expiresAt` it is indexed under. */
  private readonly indexed = new Map<number, number>();
  private readonly buckets = new Map<number, Set<number>>();
  private readonly bucketHeap = new MinHeap();
  private maxTime: number | undefined;
  private readonly maxKeys: number;
  private readonly bucketMs: number;

  constructor(options: InMemoryJoinStoreOptions = {}) {
    const settings = { ...DEFAULT_IN_MEMORY_JOIN_STORE_OPTIONS, ...options };
    if (!(settings.maxKeys > 0))
      throw invalidOption('maxKeys', settings.maxKeys, 'a positive integer');
    if (!(settings.bucketMs > 0))
      throw invalidOption('bucketMs', settings.bucketMs, 'a positive number of ms');
    this.maxKeys = settings.maxKeys;
    this.bucketMs = settings.bucketMs;
  }

  /** Number of order ids held. */
  get size(): number {
    return this.states.size;
  }

  async get(orderIds: readonly number[]): Promise<JoinStateSnapshot> {
    return this.getSync(orderIds);
  }

  /** Synchronous {@link InMemoryJoinStore.get}, used by the join's fast path. */
  getSync(orderIds: readonly number[]): JoinStateSnapshot {
    const states = new Map<number, JoinKeyState>();
    for (const id of orderIds) {
      const state = this.states.get(id);
      if (state !== undefined) states.set(id, state);
    }
    return { states, maxTime: this.maxTime };
  }

  /** The state of one id, without copying (fast path). */
  peek(orderId: number): JoinKeyState | undefined {
    return this.states.get(orderId);
  }

  get committedMaxTime(): number | undefined {
    return this.maxTime;
  }

  async expiring(watermark: number): Promise<JoinKeyState[]> {
    return this.expiringSync(watermark);
  }

  /** Synchronous {@link InMemoryJoinStore.expiring}. */
  expiringSync(watermark: number): JoinKeyState[] {
    const out: JoinKeyState[] = [];
    for (;;) {
      const bucket = this.bucketHeap.peek();
      // Take a bucket only when all of it lies below the watermark.
      if (bucket === undefined || (bucket + 1) * this.bucketMs > watermark) break;
      this.bucketHeap.pop();
      const ids = this.buckets.get(bucket);
      this.buckets.delete(bucket);
      if (ids === undefined) continue;
      for (const id of ids) {
        const at = this.indexed.get(id);
        if (at === undefined || this.bucketOf(at) !== bucket) continue; // moved or deleted
        this.indexed.delete(id);
        const state = this.states.get(id);
        if (state !== undefined) out.push(state);
      }
    }
    return out;
  }

  async commit(change: JoinStateCommit): Promise<void> {
    this.commitSync(change);
  }

  /** Synchronous {@link InMemoryJoinStore.commit}. */
  commitSync(change: JoinStateCommit): void {
    for (const id of change.delete) {
      this.states.delete(id);
      this.indexed.delete(id);
    }
    for (const state of change.put) this.putOne(state);
    if (change.maxTime !== undefined && Number.isFinite(change.maxTime)) {
      this.maxTime =
        this.maxTime === undefined ? change.maxTime : Math.max(this.maxTime, change.maxTime);
    }
  }

  /** Stores one state and indexes its expiry (fast path). */
  putOne(state: JoinKeyState): void {
    const id = state.orderId;
    const previous = this.indexed.get(id);
    if (previous === undefined) {
      // Not indexed: new, or just taken by `expiring`. Only a new key can overflow.
      if (this.states.get(id) !== state) {
        if (this.states.size >= this.maxKeys && !this.states.has(id)) {
          throw new EnrichError(
            'KSE_STATE_STORE_FAILED',
            `in-memory join state is full (${this.maxKeys} keys); raise maxKeys or lower windowMs`,
          );
        }
        this.states.set(id, state);
      }
    } else if (this.states.get(id) !== state) {
      this.states.set(id, state);
    }
    const at = state.expiresAt;
    this.indexed.set(id, at);
    const bucket = Math.floor(at / this.bucketMs);
    if (previous !== undefined && Math.floor(previous / this.bucketMs) === bucket) return;
    let ids = this.buckets.get(bucket);
    if (ids === undefined) {
      ids = new Set();
      this.buckets.set(bucket, ids);
      this.bucketHeap.push(bucket);
    }
    ids.add(id);
  }

  /** Removes one state (fast path). */
  deleteOne(orderId: number): void {
    this.states.delete(orderId);
    this.indexed.delete(orderId);
  }

  private bucketOf(time: number): number {
    return Math.floor(time / this.bucketMs);
  }
}
