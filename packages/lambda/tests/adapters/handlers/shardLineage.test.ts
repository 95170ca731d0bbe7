import { describe, expect, it } from 'vitest';
import {
  hashKeyOf,
  ownsPartitionKey,
  streamNameOf,
  type ShardInfo,
} from '../../../src/adapters/handlers/shardLineage.js';

const MAX = 2n ** 128n - 1n;
const shard = (start: bigint, end: bigint): ShardInfo => ({
  shardId: 'shardId-000000000001',
  parents: ['shardId-000000000000'],
  startingHashKey: start,
  endingHashKey: end,
  closed: false,
});

describe('shard lineage', () => {
  it('hashes a partition key as Kinesis does: MD5 as an unsigned 128-bit integer', () => {
    expect(hashKeyOf('')).toBe(BigInt('0xd41d8cd98f00b204e9800998ecf8427e'));
    expect(hashKeyOf('a')).toBe(BigInt('0x0cc175b9c0f1b6a831c399e269772661'));
  });

  it('gives each partition key to exactly one of two split children', () => {
    const middle = 2n ** 127n;
    const low = shard(0n, middle - 1n);
    const high = shard(middle, MAX);
    for (let id = 10_000_001; id < 10_000_201; id += 1) {
      const key = String(id);
      expect(Number(ownsPartitionKey(low, key)) + Number(ownsPartitionKey(high, key))).toBe(1);
    }
  });

  it('reads the stream name of a stream ARN (or takes a name as it is)', () => {
    expect(streamNameOf('arn:aws:kinesis:eu-west-1:123456789012:stream/OrdersStream')).toBe(
      'OrdersStream',
    );
    expect(streamNameOf('OrdersStream')).toBe('OrdersStream');
  });
});
