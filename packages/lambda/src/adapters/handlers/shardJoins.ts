import {
  IntervalJoin,
  type IntervalJoinOptions,
  type JoinParent,
  type JoinStateStore,
  type ProductLookup,
} from '@kse/enrich';
import { LambdaError } from '../../errors.js';
import { ownsPartitionKey, streamNameOf, type ShardLineage } from './shardLineage.js';

/** Options of {@link ShardJoins}. */
export interface ShardJoinsOptions {
  /** The state store of a shard (called once per shard). */
  storeOf: (shardId: string) => JoinStateStore;
  /** Window, time and lateness of every shard's join. */
  join: Pick<IntervalJoinOptions, 'windowMs' | 'time' | 'allowedLatenessMs' | 'clock'>;
  /** The products, loaded once (and again after a failure). */
  products: () => Promise<ProductLookup | undefined>;
  /** Where parents and hash ranges come from; without it, no state carries across a reshard. */
  lineage: ShardLineage | undefined;
  /** The partition key a record of this order id was put with (kse: the order id). */
  partitionKeyOf: (orderId: number) => string;
}

/**
 * The joins of the shards one handler instance has seen: one join and one store per shard,
 * and one lock per shard held from a batch's `process` to its `commit` (a sweep takes it
 * too), so a batch's outputs and state change are never interleaved with another call on
 * the same shard (with `parallelizationFactor` > 1 the batches of a shard take turns).
 */
export class ShardJoins {
  private readonly stores = new Map<string, JoinStateStore>();
  private readonly joins = new Map<string, Promise<IntervalJoin>>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ShardJoinsOptions) {}

  /** The store of a shard (one instance per shard: a parent's in-memory store is found again). */
  store(shardId: string): JoinStateStore {
    let store = this.stores.get(shardId);
    if (store === undefined) {
      store = this.options.storeOf(shardId);
      this.stores.set(shardId, store);
    }
    return store;
  }

  /** Runs `work` with the shard's join, alone on that shard. */
  withShard<T>(
    shardId: string,
    streamArn: string,
    work: (join: IntervalJoin) => Promise<T>,
  ): Promise<T> {
    const previous = this.locks.get(shardId) ?? Promise.resolve();
    const task = async (): Promise<T> => work(await this.joinOf(shardId, streamArn));
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.locks.set(shardId, tail);
    void tail.then(() => {
      if (this.locks.get(shardId) === tail) this.locks.delete(shardId);
    });
    return run;
  }

  private joinOf(shardId: string, streamArn: string): Promise<IntervalJoin> {
    let join = this.joins.get(shardId);
    if (join === undefined) {
      join = this.options.products().then(
        (products) =>
          new IntervalJoin({
            ...this.options.join,
            store: this.store(shardId),
            ...(products === undefined ? {} : { products }),
            parents: () => this.parentsOf(shardId, streamArn),
          }),
      );
      join.catch(() => this.joins.delete(shardId));
      this.joins.set(shardId, join);
    }
    return join;
  }

  /**
   * The parents of a shard, each with the part of its keys the shard now owns, and their
   * own parents in turn (for a parent that closed before it took theirs over).
   */
  private async parentsOf(shardId: string, streamArn: string): Promise<JoinParent[]> {
    const lineage = this.options.lineage;
    const streamName = streamNameOf(streamArn);
    if (lineage === undefined || streamName === '') return [];
    const shard = await lineage.shard(streamName, shardId);
    if (shard === undefined) {
      // Without its lineage the shard could miss its parents' state: fail the batch (Lambda
      // retries it) rather than join without it.
      throw new LambdaError(
        'KSE_LAMBDA_AWS_FAILED',
        `shard ${shardId} is not among the shards of ${streamName}`,
        { shardId },
      );
    }
    const partitionKeyOf = this.options.partitionKeyOf;
    const owns = (orderId: number): boolean => ownsPartitionKey(shard, partitionKeyOf(orderId));
    const ancestor = (parentId: string): JoinParent => ({
      store: this.store(parentId),
      owns,
      parents: async () =>
        ((await lineage.shard(streamName, parentId))?.parents ?? []).map(ancestor),
    });
    return shard.parents.map(ancestor);
  }
}
