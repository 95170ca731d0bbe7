import { EnrichError, invalidOption } from './errors.js';
import type {
  JoinKeyState,
  JoinScopeMeta,
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
 * One batch of an {@link IntervalJoin} applied in place to an {@link InMemoryJoinStore}
 * (internal): enough to undo it — the keys it created, a copy of each key it changed
 * (saved before its first change), the keys it took out of the expiry index — until it is
 * committed. Expiry's removals are not applied before the commit at all (`finish`).
 */
export class InPlaceBatch {
  readonly created: number[] = [];
  readonly saved: JoinKeyState[] = [];
  readonly taken: number[] = [];

  constructor(readonly epoch: number) {}
}

/**
 * Join state in process memory, for long-lived processes and tests. Bounded by
 * `maxKeys`; expiry costs amortised O(1) per key: keys are indexed in time buckets
 * (`bucketMs` wide) whose indexes sit in a small heap, and a bucket is taken whole once
 * the watermark passes its end — no scan of live state. State is held in compact
 * columns, not as objects (see the package README), so that a long window costs little
 * heap and little GC work; the {@link JoinStateStore} methods read and write copies.
 *
 * The join applies a batch in place, with an undo log (the keys the batch created, and a
 * copy of each key it changed, saved before the change): until the batch is committed
 * the store can return to the state before it, which it does on the next call of any
 * join (or of these methods) — so a batch whose outputs failed leaves the state as it was,
 * and a join rebuilt on the same store (after a "crash") starts from what was committed.
 * `size` counts the keys of a batch not yet committed.
 *
 * @example
 * ```ts
 * const join = new IntervalJoin({ store: new InMemoryJoinStore({ maxKeys: 500_000 }) });
 * ```
 */
export class InMemoryJoinStore implements JoinStateStore {
  /** The state itself, used in place by {@link IntervalJoin} (internal). */
  table: JoinTable;
  private meta: JoinScopeMeta = { maxTime: undefined };
  private pending: InPlaceBatch | undefined;
  /** Most order ids held at once. */
  readonly maxKeys: number;
  private readonly bucketMs: number;

  constructor(options: InMemoryJoinStoreOptions = {}) {
    const settings = { ...DEFAULT_IN_MEMORY_JOIN_STORE_OPTIONS, ...options };
    if (!(settings.maxKeys > 0))
      throw invalidOption('maxKeys', settings.maxKeys, 'a positive integer');
    if (!(settings.bucketMs > 0))
      throw invalidOption('bucketMs', settings.bucketMs, 'a positive number of ms');
    this.maxKeys = settings.maxKeys;
    this.bucketMs = settings.bucketMs;
    this.table = this.emptyTable();
  }

  /**
   * Drops the whole state, committed or not, and gives its memory back: the store is as
   * new. For a process that is done with its joins (`kse run` once its rows have landed
   * and its mappings have stopped); a join still on this store would see no state at all.
   */
  clear(): void {
    this.pending = undefined;
    this.meta = { maxTime: undefined };
    this.table = this.emptyTable();
  }

  // Room for ~16 s at 1,000 orders/s before the columns first grow (~2 MB).
  private emptyTable(): JoinTable {
    return new JoinTable(this.bucketMs, Math.min(this.maxKeys, 16_384));
  }

  /** Number of order ids held (including those of a batch not yet committed). */
  get size(): number {
    return this.table.size;
  }

  async get(orderIds: readonly number[]): Promise<JoinStateSnapshot> {
    return this.getSync(orderIds);
  }

  /** Synchronous {@link InMemoryJoinStore.get}. */
  getSync(orderIds: readonly number[]): JoinStateSnapshot {
    this.discardPending();
    const states = new Map<number, JoinKeyState>();
    for (const id of orderIds) {
      const slot = this.table.slotOf(id);
      if (slot !== NONE) states.set(id, this.table.exportState(slot));
    }
    return { states, ...this.meta };
  }

  /** The committed meta (the join's fast path). */
  get committedMeta(): Readonly<JoinScopeMeta> {
    return this.meta;
  }

  /** The largest join time committed. */
  get committedMaxTime(): number | undefined {
    return this.meta.maxTime;
  }

  async expiring(watermark: number): Promise<JoinKeyState[]> {
    return this.expiringSync(watermark);
  }

  /**
   * Synchronous {@link InMemoryJoinStore.expiring}. The states returned are out of the
   * expiry index until they are committed again (`put`) or deleted.
   */
  expiringSync(watermark: number): JoinKeyState[] {
    this.discardPending();
    const slots: number[] = [];
    this.table.takeExpiring(watermark, slots);
    return slots.map((slot) => this.table.exportState(slot));
  }

  async all(): Promise<JoinKeyState[]> {
    this.discardPending();
    return this.table.allSlots().map((slot) => this.table.exportState(slot));
  }

  async commit(change: JoinStateCommit): Promise<void> {
    this.commitSync(change);
  }

  /** Synchronous {@link InMemoryJoinStore.commit}. */
  commitSync(change: JoinStateCommit): void {
    this.discardPending();
    for (const id of change.delete) {
      const slot = this.table.slotOf(id);
      if (slot !== NONE) this.table.remove(slot);
    }
    for (const state of change.put) {
      if (this.table.slotOf(state.orderId) === NONE) this.checkRoom();
      this.table.importState(state);
    }
    if (
      change.maxTime !== undefined ||
      change.maxArrival !== undefined ||
      change.checkpoint !== undefined ||
      change.adopted !== undefined
    ) {
      this.setMeta(change);
    }
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

  /**
   * Starts a batch applied in place (internal, for {@link IntervalJoin}): first undoes a
   * batch still pending (its outputs were never acknowledged).
   */
  begin(): InPlaceBatch {
    this.discardPending();
    // The epoch tells keys this batch has saved or created from all others. It wraps after
    // 2^32 batches, skipping 0 (the stamp of keys never touched); a stale stamp equal to the
    // new epoch would need that many batches in between.
    this.table.currentEpoch = (this.table.currentEpoch + 1) >>> 0 || 1;
    const batch = new InPlaceBatch(this.table.currentEpoch);
    this.pending = batch;
    return batch;
  }

  /** Saves a key's state before the batch's first change to it (once per key and batch). */
  touch(batch: InPlaceBatch, slot: number): void {
    const table = this.table;
    if (table.epoch[slot] === batch.epoch) return;
    table.epoch[slot] = batch.epoch;
    batch.saved.push(table.exportState(slot));
  }

  /** True while `batch` is the pending batch (neither committed nor undone). */
  isPending(batch: InPlaceBatch): boolean {
    return this.pending === batch;
  }

  /**
   * Commits a pending batch: applies its deferred changes (`finish`), records the meta and
   * forgets the undo log. Throws `KSE_JOIN_BATCH_SUPERSEDED` when the batch was undone.
   */
  commitPending(batch: InPlaceBatch, meta: JoinScopeMeta, finish: () => void): void {
    if (this.pending !== batch) throw superseded();
    this.pending = undefined;
    finish();
    this.setMeta(meta);
  }

  /** Undoes the pending batch, if any: the state is again as the last commit left it. */
  discardPending(): boolean {
    const batch = this.pending;
    if (batch === undefined) return false;
    this.pending = undefined;
    const table = this.table;
    // Keys taken for expiry were not trimmed (that waits for the commit): index them again
    // first, so that a key removed below leaves only a stale index entry behind.
    for (const slot of batch.taken) table.reindex(slot);
    for (let i = batch.created.length - 1; i >= 0; i -= 1) table.remove(batch.created[i]!);
    for (const state of batch.saved) table.importState(state);
    return true;
  }

  private setMeta(meta: JoinScopeMeta): void {
    const maxTime =
      meta.maxTime !== undefined && Number.isFinite(meta.maxTime)
        ? Math.max(meta.maxTime, this.meta.maxTime ?? Number.NEGATIVE_INFINITY)
        : this.meta.maxTime;
    const maxArrival =
      meta.maxArrival !== undefined && Number.isFinite(meta.maxArrival)
        ? Math.max(meta.maxArrival, this.meta.maxArrival ?? Number.NEGATIVE_INFINITY)
        : this.meta.maxArrival;
    this.meta = {
      maxTime,
      maxArrival,
      checkpoint: meta.checkpoint ?? this.meta.checkpoint,
      adopted: meta.adopted ?? this.meta.adopted,
    };
  }
}

function superseded(): EnrichError {
  return new EnrichError(
    'KSE_JOIN_BATCH_SUPERSEDED',
    'the join batch was undone by a later call before it was committed; its input must be processed again',
  );
}
