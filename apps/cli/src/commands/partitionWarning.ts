import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

/** The partition key that keeps an order and its items on one shard: their shared id. */
export const JOIN_PARTITION_KEY = 'orderId';

/**
 * The one-line warning (no newline) for a replay whose partitioning cannot keep an order
 * and its items on one shard, or undefined when it can: kse's join (`kse run`, the enrich
 * handler) runs per shard and matches an item only with an order on its own shard. Any
 * partition key but the orderId can split them once the stream has more than one shard;
 * `random` (the sample replayer's behaviour: a hash of each event) nearly always does.
 */
export function partitionWarning(partitionKey: string, openShards: number): string | undefined {
  if (partitionKey === JOIN_PARTITION_KEY || openShards <= 1) return undefined;
  // One line that fits 80 columns for the usual keys; `kse replay --help` says more.
  return `replay: warning: --partition-key ${partitionKey} on ${openShards} shards: kse's join may miss items`;
}

/**
 * The stream's open shards (DescribeStreamSummary), or undefined when it cannot be told
 * (no such stream yet, no permission): the warning is advice, never a reason to stop.
 */
export async function openShardCount(
  kinesis: KinesisClient,
  stream: { streamName?: string; streamArn?: string },
): Promise<number | undefined> {
  try {
    const { StreamDescriptionSummary: summary } = await kinesis.send(
      new DescribeStreamSummaryCommand({
        StreamName: stream.streamName,
        StreamARN: stream.streamArn,
      }),
    );
    return summary?.OpenShardCount;
  } catch {
    return undefined;
  }
}
