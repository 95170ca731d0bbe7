import { createHash } from 'node:crypto';
import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { LambdaError } from '../../errors.js';

/** One shard of a stream, as far as join state is concerned: its parents and its hash range. */
export interface ShardInfo {
  shardId: string;
  /** The shards it came from (one after a split, two after a merge, none at first). */
  parents: string[];
  startingHashKey: bigint;
  endingHashKey: bigint;
  /** Closed by a reshard (its records end at its ending sequence number). */
  closed: boolean;
}

/**
 * The shards of streams and how they descend from one another (ListShards, cached; listed
 * again when a shard is not known yet). A reshard turns a parent's state into its
 * children's, each child taking the keys whose partition key hashes into its range.
 */
export class ShardLineage {
  private readonly streams = new Map<string, Promise<Map<string, ShardInfo>>>();

  constructor(private readonly kinesis: KinesisClient) {}

  /** Every shard of the stream (open and closed), by id; `fresh` lists them again. */
  shards(streamName: string, fresh = false): Promise<Map<string, ShardInfo>> {
    let listed = fresh ? undefined : this.streams.get(streamName);
    if (listed === undefined) {
      listed = this.list(streamName);
      listed.catch(() => this.streams.delete(streamName));
      this.streams.set(streamName, listed);
    }
    return listed;
  }

  /** One shard, listing the stream again when it is not known yet (a reshard since). */
  async shard(streamName: string, shardId: string): Promise<ShardInfo | undefined> {
    const known = (await this.shards(streamName)).get(shardId);
    if (known !== undefined) return known;
    return (await this.shards(streamName, true)).get(shardId);
  }

  /** The shards `shardId` is a parent of. */
  async children(streamName: string, shardId: string): Promise<ShardInfo[]> {
    const shards = await this.shards(streamName);
    return [...shards.values()].filter((shard) => shard.parents.includes(shardId));
  }

  private async list(streamName: string): Promise<Map<string, ShardInfo>> {
    const out = new Map<string, ShardInfo>();
    let nextToken: string | undefined;
    do {
      const response = await this.kinesis
        .send(
          new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }),
        )
        .catch((error: unknown) => {
          throw new LambdaError(
            'KSE_LAMBDA_AWS_FAILED',
            `ListShards of ${streamName}: ${(error as Error).message}`,
            { cause: error },
          );
        });
      for (const shard of response.Shards ?? []) {
        const info = toInfo(shard);
        out.set(info.shardId, info);
      }
      nextToken = response.NextToken;
    } while (nextToken);
    return out;
  }
}

function toInfo(shard: Shard): ShardInfo {
  return {
    shardId: shard.ShardId ?? '',
    parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter(
      (id): id is string => id !== undefined && id !== '',
    ),
    startingHashKey: BigInt(shard.HashKeyRange?.StartingHashKey ?? '0'),
    endingHashKey: BigInt(shard.HashKeyRange?.EndingHashKey ?? String(2n ** 128n - 1n)),
    closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
  };
}

/** The stream name of a stream ARN (`arn:aws:kinesis:…:stream/NAME`), or the name itself. */
export function streamNameOf(streamArnOrName: string): string {
  const at = streamArnOrName.lastIndexOf(':stream/');
  return at < 0 ? streamArnOrName : streamArnOrName.slice(at + ':stream/'.length);
}

/** Kinesis's hash key of a partition key: MD5 as an unsigned 128-bit integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** True when the partition key lands in the shard's hash range. */
export function ownsPartitionKey(shard: ShardInfo, partitionKey: string): boolean {
  const hash = hashKeyOf(partitionKey);
  return hash >= shard.startingHashKey && hash <= shard.endingHashKey;
}
