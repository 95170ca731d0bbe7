import { EnrichError, invalidOption } from './errors.js';
import type {
  JoinKeyState,
  JoinStateCommit,
  JoinStateSnapshot,
  JoinStateStore,
} from './joinState.js';
import { JoinTable, NONE } from './joinTable.js';

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
 * the watermark passes its end — no scan of live state. State is held in compact
 * columns, not as objects (see the package README), so that a long window costs little
 * heap and little GC work; the {@link JoinStateStore} methods read and write copies.
 *
 * @example
 * ```ts
 * const join = new IntervalJoin({ store: new InMemoryJoinStore({ maxKeys: 500_000 }) });
 * ```
 */
export class InMemoryJoinStore implements JoinStateStore {
  /** The state itself, used in place by {@link IntervalJoin} (internal). */
  readonly table: JoinTable;
  private maxTime: number | undefined;
  /** Most order ids held at once. */
  readonly maxKeys: number;

  constructor(options: InMemoryJoinStoreOptions = {}) {
    const settings = { ...DEFAULT_IN_MEMORY_JOIN_STORE_OPTIONS, ...options };
    if (!(settings.maxKeys > 0))
      throw invalidOption('maxKeys', settings.maxKeys, 'a positive integer');
    if (!(settings.bucketMs > 0))
      throw invalidOption('bucketMs', settings.bucketMs, 'a positive number of ms');
    this.maxKeys = settings.maxKeys;
    // Room for ~16 s at 1,000 orders/s before the columns first grow (~2 MB).
    this.table = new JoinTable(settings.bucketMs, Math.min(settings.maxKeys, 16_384));
  }

  /** Number of order ids held. */
  get size(): number {
    return this.table.size;
  }

  async get(orderIds: readonly number[]): Promise<JoinStateSnapshot> {
    return this.getSync(orderIds);
  }

  /** Synchronous {@link InMemoryJoinStore.get}. */
  getSync(orderIds: readonly number[]): JoinStateSnapshot {
    const states = new Map<number, JoinKeyState>();
    for (const id of orderIds) {
      const slot = this.table.slotOf(id);
      if (slot !== NONE) states.set(id, this.table.exportState(slot));
    }
    return { states, maxTime: this.maxTime };
  }

  get committedMaxTime(): number | undefined {
    return this.maxTime;
  }

  async expiring(watermark: number): Promise<JoinKeyState[]> {
    return this.expiringSync(watermark);
  }

  /**
   * Synchronous {@link InMemoryJoinStore.expiring}. The states returned are out of the
   * expiry index until they are committed again (`put`) or deleted.
   */
  expiringSync(watermark: number): JoinKeyState[] {
    const slots: number[] = [];
    this.table.takeExpiring(watermark, slots);
    return slots.map((slot) => this.table.exportState(slot));
  }

  async commit(change: JoinStateCommit): Promise<void> {
    this.commitSync(change);
  }

  /** Synchronous {@link InMemoryJoinStore.commit}. */
  commitSync(change: JoinStateCommit): void {
    for (const id of change.delete) {
      const slot = this.table.slotOf(id);
      if (slot !== NONE) this.table.remove(slot);
    }
    for (const state of change.put) {
      if (this.table.slotOf(state.orderId) === NONE) this.checkRoom();
      this.table.importState(state);
    }
    this.advanceMaxTime(change.maxTime);
  }

  /** Throws `KSE_STATE_STORE_FAILED` when one more key would exceed `maxKeys`. */
  checkRoom(): void {
    if (this.table.size >= this.maxKeys) {
      throw new EnrichError(
        'KSE_STATE_STORE_FAILED',
        `in-memory join state is full (${this.maxKeys} keys); raise maxKeys or lower windowMs`,
      );
    }
  }

  /** Records the largest join time seen (the join's fast path). */
  advanceMaxTime(maxTime: number | undefined): void {
    if (maxTime !== undefined && Number.isFinite(maxTime)) {
      this.maxTime = this.maxTime === undefined ? maxTime : Math.max(this.maxTime, maxTime);
    }
  }
}
