import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type KinesisClient,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createKinesisClient,
  ensureStream,
  startEmulators,
  startLocalStack,
  type LocalStack,
} from '../src/index.js';
import { pollUntil } from '../src/aws/poll.js';
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

describe('kinesalite speedups (installKinesaliteSpeedups)', () => {
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

// ---- Conformance: one SDK conversation, with kinesalite's own helpers and with the speedups.

type Outcome = { ok: unknown } | { error: string; message: string };

/** What the SDK answered, without request ids. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return decoder.decode(value);
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key !== '$metadata') out[key] = normalize(inner);
  }
  return out;
}

async function outcome(send: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: normalize(await send()) };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

/** The answer of a step that must have succeeded. */
function ok<T>(answer: Outcome): T {
  if (!('ok' in answer)) throw new Error(`${answer.error}: ${answer.message}`);
  return answer.ok as T;
}

interface ShardInfo {
  ShardId: string;
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

/**
 * Every kinesalite action that goes through the four helpers: CreateStream
 * (stringifySequence), PutRecords / PutRecord (partitionKeyToHashKey, parseSequence,
 * stringifySequence; SequenceNumberForOrdering, explicit hash keys), GetShardIterator of
 * every type with good, foreign and malformed sequence numbers (parseSequence,
 * incrementSequence, where malformed input falls back to the original), GetRecords page
 * by page (incrementSequence) up to the end of closed shards, SplitShard and MergeShards
 * (parse and stringify of shard ranges).
 */
async function kinesisConversation(kinesis: KinesisClient): Promise<[string, Outcome][]> {
  const steps: [string, Outcome][] = [];
  const step = async (name: string, send: () => Promise<unknown>): Promise<Outcome> => {
    const answer = await outcome(send);
    steps.push([name, answer]);
    return answer;
  };
  const S = 'Conformance';
  const untilActive = () =>
    pollUntil(`${S} not ACTIVE`, S, async () => {
      const out = await kinesis.send(new DescribeStreamCommand({ StreamName: S }));
      return out.StreamDescription?.StreamStatus === 'ACTIVE' ? true : undefined;
    });
  const putRecords = (from: number, to: number) =>
    kinesis.send(
      new PutRecordsCommand({
        StreamName: S,
        Records: records
          .slice(from, to)
          .map((r) => ({ PartitionKey: r.key, Data: encoder.encode(r.data) })),
      }),
    );
  const putRecord = (name: string, extra: object) =>
    step(name, () =>
      kinesis.send(
        new PutRecordCommand({
          StreamName: S,
          PartitionKey: name,
          Data: encoder.encode(name),
          ...extra,
        }),
      ),
    );
  const iterator = (
    name: string,
    shardId: string,
    type: ShardIteratorType,
    startingSequenceNumber?: string,
  ) =>
    step(name, () =>
      kinesis.send(
        new GetShardIteratorCommand({
          StreamName: S,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(startingSequenceNumber === undefined
            ? {}
            : { StartingSequenceNumber: startingSequenceNumber }),
        }),
      ),
    );
  const readAll = async (name: string, start: Outcome) => {
    let next = (start as { ok?: { ShardIterator?: string } }).ok?.ShardIterator;
    for (let page = 0; next !== undefined && page < 20; page += 1) {
      const answer = await step(`${name} page ${page}`, () =>
        kinesis.send(new GetRecordsCommand({ ShardIterator: next, Limit: 100 })),
      );
      const got = ok<{ Records: unknown[]; NextShardIterator?: string }>(answer);
      next = got.Records.length === 0 ? undefined : got.NextShardIterator;
    }
  };
  const listShards = async (name: string) =>
    ok<{ Shards: ShardInfo[] }>(
      await step(name, () => kinesis.send(new ListShardsCommand({ StreamName: S }))),
    ).Shards;

  await step('create', () =>
    kinesis.send(new CreateStreamCommand({ StreamName: S, ShardCount: 3 })),
  );
  await untilActive();
  await step('describe', () => kinesis.send(new DescribeStreamCommand({ StreamName: S })));
  const first = ok<{ Records: { SequenceNumber: string }[] }>(
    await step('put records 0-500', () => putRecords(0, 500)),
  );
  await step('put records 500-600', () => putRecords(500, 600));
  await putRecord('explicit hash key 0', { ExplicitHashKey: '0' });
  await putRecord('explicit hash key 2^128-1', {
    ExplicitHashKey: String((1n << 128n) - 1n),
  });
  await putRecord('explicit hash key at a boundary', {
    ExplicitHashKey: String((1n << 128n) / 3n),
  });
  await putRecord('ordered after a record', {
    SequenceNumberForOrdering: first.Records[0]!.SequenceNumber,
  });
  // Let through kinesalite's pattern, not sequence numbers it made: the originals decide.
  for (const odd of ['0', '0x1f', '1.5', '9'.repeat(60), '12345678901234567890']) {
    await putRecord(`ordered after ${odd}`, { SequenceNumberForOrdering: odd });
  }

  const shards = await listShards('list shards');
  for (const [index, shard] of shards.entries()) {
    const id = shard.ShardId;
    await readAll(
      `${id} from TRIM_HORIZON`,
      await iterator(`${id} TRIM_HORIZON`, id, 'TRIM_HORIZON'),
    );
    await readAll(`${id} from LATEST`, await iterator(`${id} LATEST`, id, 'LATEST'));
    const start = shard.SequenceNumberRange.StartingSequenceNumber;
    for (const type of ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] as const) {
      await readAll(`${id} ${type} start`, await iterator(`${id} ${type} start`, id, type, start));
      const other = shards[(index + 1) % shards.length]!.SequenceNumberRange.StartingSequenceNumber;
      await iterator(`${id} ${type} of another shard`, id, type, other);
      for (const odd of ['0', '0x1f', '1.5', '7'.repeat(129), start.slice(0, -1)]) {
        await iterator(`${id} ${type} ${odd}`, id, type, odd);
      }
    }
  }

  // Reshard: shard 0 split in the middle of its range, shards 1 and 2 merged.
  const [shard0, shard1, shard2] = shards;
  const middle = (1n << 128n) / 6n;
  await step('split shard 0', () =>
    kinesis.send(
      new SplitShardCommand({
        StreamName: S,
        ShardToSplit: shard0!.ShardId,
        NewStartingHashKey: String(middle),
      }),
    ),
  );
  await untilActive();
  await step('merge shards 1 and 2', () =>
    kinesis.send(
      new MergeShardsCommand({
        StreamName: S,
        ShardToMerge: shard1!.ShardId,
        AdjacentShardToMerge: shard2!.ShardId,
      }),
    ),
  );
  await untilActive();
  await step('describe after reshard', () =>
    kinesis.send(new DescribeStreamCommand({ StreamName: S })),
  );
  await step('put records after reshard', () => putRecords(0, 200));
  for (const shard of await listShards('list shards after reshard')) {
    const id = shard.ShardId;
    await readAll(`${id} after reshard`, await iterator(`${id} after reshard`, id, 'TRIM_HORIZON'));
  }
  return steps;
}

/**
 * Holds the conversation against a fresh kinesalite, with the clock pinned at `now`:
 * sequence numbers, arrival times and shard iterators carry the time, so that two runs
 * answer alike only at the same time.
 */
async function conversationAt(now: number): Promise<[string, Outcome][]> {
  const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
  const emulators = await startEmulators(['kinesis']);
  // One attempt: an error answer is the emulator's, not the last of several.
  const kinesis = createKinesisClient({
    region: 'us-east-1',
    endpoints: { kinesis: emulators.endpoints.kinesis! },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    return await kinesisConversation(kinesis);
  } finally {
    clock.mockRestore();
    kinesis.destroy();
    await emulators.stop();
  }
}

describe('kinesalite speedups (installKinesaliteSpeedups): conformance', () => {
  afterAll(() => uninstallKinesaliteSpeedups());

  it('answers PutRecord(s), GetShardIterator, GetRecords, SplitShard and MergeShards exactly as kinesalite does', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    uninstallKinesaliteSpeedups();
    const plain = await conversationAt(now);
    installKinesaliteSpeedups();
    const fast = await conversationAt(now);
    expect(fast.map(([name]) => name)).toEqual(plain.map(([name]) => name));
    for (const [i, [name, answer]] of fast.entries()) {
      expect({ name, answer }).toEqual({ name, answer: plain[i]![1] });
    }

    // The conversation says what it should (checked on the speedups' answers).
    const find = (name: string) => fast.find(([step]) => step === name)![1];
    const put = ok<{ FailedRecordCount: number; Records: { ShardId: string }[] }>(
      find('put records 0-500'),
    );
    expect(put.FailedRecordCount).toBe(0);
    expect(new Set(put.Records.map((r) => r.ShardId)).size).toBe(3);
    expect(find('explicit hash key 0')).toMatchObject({ ok: { ShardId: 'shardId-000000000000' } });
    expect(find('explicit hash key at a boundary')).toMatchObject({
      ok: { ShardId: 'shardId-000000000001' },
    });
    expect(find('explicit hash key 2^128-1')).toMatchObject({
      ok: { ShardId: 'shardId-000000000002' },
    });
    expect(find('ordered after a record')).toMatchObject({ ok: { ShardId: expect.any(String) } });
    expect(find(`ordered after ${'9'.repeat(60)}`)).toMatchObject({
      error: 'InvalidArgumentException',
    });
    expect(find('shardId-000000000000 AT_SEQUENCE_NUMBER of another shard')).toMatchObject({
      error: 'InvalidArgumentException',
      message: expect.stringContaining('It encodes shardId-000000000001'),
    });
    // 0x1f reaches kinesalite's own parseSequence (BigNumber reads hex): shard 31.
    expect(find('shardId-000000000001 AFTER_SEQUENCE_NUMBER 0x1f')).toMatchObject({
      error: 'InvalidArgumentException',
      message: expect.stringContaining('It encodes shardId-000000000031'),
    });
    expect(find('split shard 0')).toEqual({ ok: {} });
    expect(find('merge shards 1 and 2')).toEqual({ ok: {} });
    const read = (prefix: string) =>
      fast
        .filter(([name]) => name.startsWith(prefix))
        .flatMap(([, answer]) => ok<{ Records: unknown[] }>(answer).Records);
    for (const i of [0, 1, 2]) {
      const id = `shardId-00000000000${i}`;
      const putThere = put.Records.filter((r) => r.ShardId === id).length;
      expect(putThere).toBeGreaterThan(100);
      expect(read(`${id} from TRIM_HORIZON page`).length).toBeGreaterThanOrEqual(putThere);
    }
    // The children of the split (3, 4) and of the merge (5) took the records put after it.
    for (const id of ['shardId-000000000003', 'shardId-000000000004', 'shardId-000000000005']) {
      expect(read(`${id} after reshard page`).length).toBeGreaterThan(0);
    }
  });
});
