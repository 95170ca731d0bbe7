import type { JoinKeyState, JoinStateStore } from './joinState.js';

/**
 * A finished parent shard whose state a child shard takes over (after a split or a
 * merge), with the part of the key space the child owns.
 *
 * @example
 * ```ts
 * const parent: JoinParent = { store: new DynamoDbJoinStore({ client, tableName, scope: 'shardId-000000000000' }), owns: (orderId) => inHashRange(orderId) };
 * ```
 */
export interface JoinParent {
  store: JoinStateStore;
  /**
   * True for the order ids that now land on the child (for a split: those whose partition
   * key hashes into the child's range). Default: every id (a merge).
   */
  owns?: (orderId: number) => boolean;
  /**
   * The parent's own parents (with the child's `owns`): when the parent never took over
   * its parents' state (it closed before it got a record), the child takes it from them.
   */
  parents?: () => Promise<readonly JoinParent[]> | readonly JoinParent[];
}

/** Keys taken over from one parent in this batch, to delete there once committed. */
export interface Adopted {
  parent: JoinParent;
  ids: number[];
}

/** What a child takes over from its ancestors (see {@link inherit}). */
export interface Inheritance {
  adopted: Adopted[];
  states: JoinKeyState[];
  maxTime: number;
  maxArrival: number;
}

/**
 * The state a child scope takes over from its parents (internal, for `IntervalJoin`):
 * each parent's keys the child owns,
 * and, for a parent that never took over its own parents' state, theirs (recursively).
 * The clock is the latest of theirs.
 */
export async function inherit(parents: readonly JoinParent[]): Promise<Inheritance> {
  const out: Inheritance = {
    adopted: [],
    states: [],
    maxTime: Number.NEGATIVE_INFINITY,
    maxArrival: Number.NEGATIVE_INFINITY,
  };
  const seen = new Set<number>();
  const visit = async (level: readonly JoinParent[]): Promise<void> => {
    for (const parent of level) {
      const [states, meta] = await Promise.all([parent.store.all(), parent.store.get([])]);
      const ids: number[] = [];
      for (const state of states) {
        if (!(parent.owns?.(state.orderId) ?? true)) continue;
        ids.push(state.orderId);
        if (seen.has(state.orderId)) continue;
        seen.add(state.orderId);
        out.states.push(state);
      }
      out.adopted.push({ parent, ids });
      out.maxTime = Math.max(out.maxTime, meta.maxTime ?? Number.NEGATIVE_INFINITY);
      out.maxArrival = Math.max(out.maxArrival, meta.maxArrival ?? Number.NEGATIVE_INFINITY);
      if (meta.adopted !== true && parent.parents !== undefined) {
        await visit(await parent.parents());
      }
    }
  };
  await visit(parents);
  return out;
}
