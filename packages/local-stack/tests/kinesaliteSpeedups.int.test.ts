import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKinesisClient,
  ensureStream,
  startLocalStack,
  type LocalStack,
} from '../src/index.js';
import { uniqueName } from '../src/testing/index.js';
import {
  installKinesaliteSpeedups,
  kinesaliteOriginals,
  partitionKeyToHashKey,
  uninstallKinesaliteSpeedups,
} from '../src/emulators/speedups/kinesaliteSpeedups.js';

const kinesaliteDb = createRequire(import.meta.url)('kinesalite/db') as {
  partitionKeyToHashKey: typeof partitionKeyToHashKey;
};
const { parseSequence } = kinesaliteOriginals();

const RECORDS = 600;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// Distinct numbers, and some unicode, as partition keys.
const records = Array.from({ length: RECORDS }, (_, i) => ({
  key: i % 7 === 0 ? `clé-${i}-日本` : String(i * 7919),
  data: JSON.stringify({ i, note: 'x'.repeat(i % 50) }),
}));

interface Put {
  key: string;
  data: string;
  shardId: string;
  sequenceNumber: string;
}

async function putAll(kinesis: KinesisClient, streamName: string): Promise<Put[]> {
  const puts: Put[] = [];
  // Two calls: sequence numbers must keep increasing across calls too.
  for (const batch of [records.slice(0, 500), records.slice(500)]) {
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: batch.map((r) => ({ PartitionKey: r.key, Data: encoder.encode(r.data) })),
      }),
    );
    expect(out.FailedRecordCount ?? 0).toBe(0);
    out.Records!.forEach((r, i) =>
      puts.push({ ...batch[i]!, shardId: r.ShardId!, sequenceNumber: r.SequenceNumber! }),
    );
  }
  return puts;
}

async function readShard(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  type: ShardIteratorType = 'TRIM_HORIZON',
  startingSequenceNumber?: string,
): Promise<{ key: string; data: string; sequenceNumber: string }[]> {
  let iterator = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: type,
        StartingSequenceNumber: startingSequenceNumber,
      }),
    )
  ).ShardIterator;
  const read: { key: string; data: string; sequenceNumber: string }[] = [];
  // Limit 100: several pages, so NextShardIterator (incrementSequence) is used.
  for (;;) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    for (const r of page.Records ?? []) {
      read.push({
        key: r.PartitionKey!,
        data: decoder.decode(r.Data),
        sequenceNumber: r.SequenceNumber!,
      });
    }
    if ((page.Records ?? []).length === 0) return read;
    iterator = page.NextShardIterator;
  }
}

describe('kinesalite with installKinesaliteSpeedups', () => {
  let stack: LocalStack;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    stack = await startLocalStack();
    kinesis = createKinesisClient(stack.config);
  });

  afterAll(async () => {
    uninstallKinesaliteSpeedups();
    kinesis?.destroy();
    await stack?.stop();
  });

  it('PutRecords/GetRecords on 2 shards: same shards and order as without, sequence numbers increase', async () => {
    // Reference: kinesalite's own helpers.
    uninstallKinesaliteSpeedups();
    const plainStream = uniqueName('plain');
    await ensureStream(kinesis, { streamName: plainStream, shardCount: 2 });
    const plainPuts = await putAll(kinesis, plainStream);

    installKinesaliteSpeedups();
    // Count calls: the emulator in this process must really go through the speedups.
    let hashed = 0;
    kinesaliteDb.partitionKeyToHashKey = (key: string) => {
      hashed += 1;
      return partitionKeyToHashKey(key);
    };
    const streamName = uniqueName('fast');
    await ensureStream(kinesis, { streamName, shardCount: 2 });
    const puts = await putAll(kinesis, streamName);
    installKinesaliteSpeedups();
    expect(hashed).toBe(RECORDS);

    // Same shard for each record as kinesalite's own helpers, and as MD5 vs the ranges.
    expect(puts.map((p) => p.shardId)).toEqual(plainPuts.map((p) => p.shardId));
    const { Shards } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    expect(Shards).toHaveLength(2);
    for (const put of puts) {
      const hash = BigInt('0x' + createHash('md5').update(put.key, 'utf8').digest('hex'));
      const shard = Shards!.find(
        (s) =>
          BigInt(s.HashKeyRange!.StartingHashKey!) <= hash &&
          hash <= BigInt(s.HashKeyRange!.EndingHashKey!),
      );
      expect(put.shardId).toBe(shard!.ShardId);
    }

    for (const [shardIx, shard] of Shards!.entries()) {
      const expected = puts.filter((p) => p.shardId === shard.ShardId);
      expect(expected.length).toBeGreaterThan(RECORDS / 4);
      // Sequence numbers parse (with the originals) to this shard and increase.
      const parsed = expected.map((p) => parseSequence(p.sequenceNumber));
      for (const seq of parsed) expect([seq.version, seq.shardIx]).toEqual([2, shardIx]);
      for (let i = 1; i < expected.length; i += 1) {
        expect(BigInt(expected[i]!.sequenceNumber)).toBeGreaterThan(
          BigInt(expected[i - 1]!.sequenceNumber),
        );
        expect(BigInt(parsed[i]!.seqIx!)).toBeGreaterThan(BigInt(parsed[i - 1]!.seqIx!));
      }

      const read = await readShard(kinesis, streamName, shard.ShardId!);
      expect(read).toEqual(
        expected.map(({ key, data, sequenceNumber }) => ({ key, data, sequenceNumber })),
      );
      const plainRead = await readShard(kinesis, plainStream, shard.ShardId!);
      expect(read.map((r) => r.key)).toEqual(plainRead.map((r) => r.key));

      // AFTER_SEQUENCE_NUMBER / AT_SEQUENCE_NUMBER from the middle of the shard.
      const middle = Math.floor(expected.length / 2);
      const after = await readShard(
        kinesis,
        streamName,
        shard.ShardId!,
        'AFTER_SEQUENCE_NUMBER',
        expected[middle]!.sequenceNumber,
      );
      expect(after.map((r) => r.sequenceNumber)).toEqual(
        expected.slice(middle + 1).map((p) => p.sequenceNumber),
      );
      const at = await readShard(
        kinesis,
        streamName,
        shard.ShardId!,
        'AT_SEQUENCE_NUMBER',
        expected[middle]!.sequenceNumber,
      );
      expect(at).toHaveLength(expected.length - middle);
    }
  });
});
