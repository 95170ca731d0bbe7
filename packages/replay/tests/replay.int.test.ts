import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createAwsClients,
  createKinesisClient,
  ensureBucket,
  ensureStream,
  type AwsClients,
} from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { LIMITS, deaggregate, isKplAggregated } from '@kse/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listS3Sources, replay, type ReplaySummary } from '../src/index.js';
import { buildOrderLines, seededRandom } from './fixtures.js';
import {
  injectPutRecordsFaults,
  orderProblems,
  readAllShardRecords,
  readAllShards,
  sorted,
  type StoredRecord,
} from './kinesisHelpers.js';

let clients: AwsClients;
let dir: string;
const noSleep = async (): Promise<void> => undefined;

beforeAll(() => {
  clients = createAwsClients({ ...testAwsConfig(), maxAttempts: 1 });
  dir = mkdtempSync(join(tmpdir(), 'kse-replay-int-'));
});

afterAll(() => {
  clients.kinesis.destroy();
  clients.s3.destroy();
});

function writeLines(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function expectAccounted(summary: ReplaySummary): void {
  expect(summary.read).toBe(summary.sent + summary.deadLettered);
  expect(summary.pending).toBe(0);
}

async function newStream(shardCount = 2): Promise<string> {
  const streamName = uniqueName('replay');
  await ensureStream(clients.kinesis, { streamName, shardCount });
  return streamName;
}

describe('replay of 10,000 orders (30,000 lines) into a 2-shard stream', () => {
  const lines = buildOrderLines({ orders: 10_000, seed: 7 });

  it('from a file: every line once, each order on one shard in file order', async () => {
    const streamName = await newStream();
    const source = writeLines('orders.json', lines);
    const summary = await replay({
      sources: [source],
      kinesis: clients.kinesis,
      streamName,
      speedup: 0,
      deadLetterPath: join(dir, 'dl-file.ndjson'),
    });
    expect(summary).toMatchObject({
      ok: true,
      read: 30_000,
      sent: 30_000,
      deadLettered: 0,
      error: null,
    });
    // Every line acknowledged, whatever order the four lanes' replies came in.
    expect(summary.acknowledged).toEqual({
      source,
      lineNumber: 30_000,
      id: (JSON.parse(lines.at(-1)!) as { orderId: number }).orderId,
    });
    const shards = await readAllShards(clients.kinesis, streamName);
    expect(shards.size).toBe(2);
    expect(sorted([...shards.values()].flat())).toEqual(sorted(lines));
    expect(orderProblems(shards, lines)).toEqual([]);
  });

  it('from an S3 prefix of gzip objects, skipping a README, in key order', async () => {
    const bucket = uniqueName('replay');
    await ensureBucket(clients.s3, bucket);
    const put = (Key: string, Body: Uint8Array | string): Promise<unknown> =>
      clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    // Two parts: key order must be replay order (part-2 keys sort after part-1).
    await put('orders/part-1.json.gz', gzipSync(lines.slice(0, 15_000).join('\n') + '\n'));
    await put('orders/part-2.json', gzipSync(lines.slice(15_000).join('\n') + '\n')); // gzip, by magic bytes
    await put('orders/README.md', '# Orders\nnot data\n');
    const streamName = await newStream();
    const summary = await replay({
      sources: [`s3://${bucket}/orders/`],
      kinesis: clients.kinesis,
      s3: clients.s3,
      streamName,
      speedup: 0,
      deadLetterPath: join(dir, 'dl-s3.ndjson'),
    });
    expect(summary).toMatchObject({
      ok: true,
      read: 30_000,
      sent: 30_000,
      deadLettered: 0,
      sourcesRead: 2,
    });
    const shards = await readAllShards(clients.kinesis, streamName);
    expect(sorted([...shards.values()].flat())).toEqual(sorted(lines));
    expect(orderProblems(shards, lines)).toEqual([]);
  });
});

describe('replay with injected faults', () => {
  const lines = buildOrderLines({ orders: 400, seed: 11 });

  it('re-sends only failed entries after partial failures and counts the retries', async () => {
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    const random = seededRandom(3);
    const log = injectPutRecordsFaults(kinesis, { failEntry: () => random() < 0.2 });
    const streamName = await newStream();
    const summary = await replay({
      sources: [writeLines('faults.json', lines)],
      kinesis,
      streamName,
      speedup: 0,
      maxBatchRecords: 100,
      retry: { maxAttempts: 20 },
      sleep: noSleep,
      random: seededRandom(5),
      deadLetterPath: join(dir, 'dl-faults.ndjson'),
    });
    expect(log.failedEntries).toBeGreaterThan(100);
    expect(summary).toMatchObject({ ok: true, read: 1_200, sent: 1_200, deadLettered: 0 });
    expect(summary.retries).toBe(log.failedEntries);
    // Only the failed entries went out again: total entries sent = lines + retries.
    expect(log.entriesPerRequest.reduce((a, b) => a + b, 0)).toBe(1_200 + log.failedEntries);
    const shards = await readAllShards(kinesis, streamName);
    expect(sorted([...shards.values()].flat())).toEqual(sorted(lines));
    kinesis.destroy();
  });

  it('leaves whole requests to the SDK: one that still fails dead-letters its records as retries exhausted, and the replay goes on', async () => {
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    const log = injectPutRecordsFaults(kinesis, { failRequest: (n) => n === 1 });
    const streamName = await newStream();
    const deadLetterPath = join(dir, 'dl-throttled.ndjson');
    const summary = await replay({
      sources: [writeLines('throttled.json', lines)],
      kinesis,
      streamName,
      speedup: 0,
      concurrency: 1,
      maxBatchRecords: 100,
      retry: { maxAttempts: 5 },
      sleep: noSleep,
      deadLetterPath,
    });
    expect(log.failedRequests).toBe(1);
    expect(summary).toMatchObject({
      ok: false,
      sent: 1_100,
      deadLettered: 100,
      failedRequests: 1,
      retries: 0,
    });
    const codes = readFileSync(deadLetterPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { code: string }).code);
    expect(new Set(codes)).toEqual(new Set(['KSE_REPLAY_RETRIES_EXHAUSTED']));
    expect(codes).toHaveLength(100);
    const shards = await readAllShards(kinesis, streamName);
    expect(sorted([...shards.values()].flat())).toEqual(sorted(lines.slice(100)));
    kinesis.destroy();
  });

  it('waits full-jitter delays doubling from baseDelayMs between tries', async () => {
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    const failures = new Map<string, number>();
    const log = injectPutRecordsFaults(kinesis, {
      // Every entry fails its first three tries.
      failEntry: (e) => {
        const n = (failures.get(e.data) ?? 0) + 1;
        failures.set(e.data, n);
        return n <= 3;
      },
    });
    const streamName = await newStream();
    const delays: number[] = [];
    const summary = await replay({
      sources: [writeLines('delays.json', lines.slice(0, 10))],
      kinesis,
      streamName,
      speedup: 0,
      concurrency: 1,
      retry: { maxAttempts: 5 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
      deadLetterPath: join(dir, 'dl-delays.ndjson'),
    });
    kinesis.destroy();
    expect(log.requests).toBe(4);
    expect(summary).toMatchObject({ ok: true, sent: 10 });
    // base 100 ms: retry n waits below 100 · 2^(n-1) ms; half of it with random 0.5.
    expect(delays).toEqual([50, 100, 200]);
  });

  it('dead-letters records whose retries ran out, with every attempt, and reports failure', async () => {
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    const doomed = new Set(['10000005', '10000100']);
    injectPutRecordsFaults(kinesis, { failEntry: (e) => doomed.has(e.partitionKey) });
    const streamName = await newStream();
    const deadLetterPath = join(dir, 'dl-exhausted.ndjson');
    const summary = await replay({
      sources: [writeLines('exhausted.json', lines)],
      kinesis,
      streamName,
      speedup: 0,
      retry: { maxAttempts: 3 },
      sleep: noSleep,
      deadLetterPath,
    });
    expect(summary).toMatchObject({
      ok: false,
      read: 1_200,
      sent: 1_194,
      deadLettered: 6,
      deadLetterPath,
    });
    expectAccounted(summary);
    const letters = readFileSync(deadLetterPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters).toHaveLength(6);
    for (const letter of letters) {
      expect(letter).toMatchObject({
        code: 'KSE_REPLAY_RETRIES_EXHAUSTED',
        source: join(dir, 'exhausted.json'),
      });
      expect(letter.attempts).toHaveLength(3);
      expect(lines[(letter.lineNumber as number) - 1]).toBe(letter.data);
    }
    const shards = await readAllShards(kinesis, streamName);
    const expected = lines.filter(
      (l) => !doomed.has(String((JSON.parse(l) as { orderId: number }).orderId)),
    );
    expect(sorted([...shards.values()].flat())).toEqual(sorted(expected));
    kinesis.destroy();
  });

  it('stops on a missing stream, with every record accounted for', async () => {
    const summary = await replay({
      sources: [writeLines('missing.json', lines)],
      kinesis: clients.kinesis,
      streamName: uniqueName('no-such-stream'),
      speedup: 0,
      deadLetterPath: join(dir, 'dl-missing.ndjson'),
    });
    expect(summary.ok).toBe(false);
    expect(summary.error?.code).toBe('KSE_REPLAY_PUT_REJECTED');
    expect(summary.sent).toBe(0);
    expectAccounted(summary);
  });
});

describe('replay of bad input', () => {
  it('dead-letters bad lines with source and line number and sends the rest', async () => {
    const good = buildOrderLines({ orders: 3, seed: 1 });
    const big = JSON.stringify({
      orderId: 1,
      orderDateTime: '2026-01-01T00:00:00.000Z',
      pad: 'x'.repeat(1024 * 1024),
    });
    const input = [
      good[0]!,
      'not json',
      '{"orderId":5}',
      '[1,2]',
      good[1]!,
      big,
      '{"orderDateTime":"2026-01-01T00:00:00Z"}',
      ...good.slice(2),
    ];
    const source = writeLines('bad.json', input);
    const deadLetterPath = join(dir, 'dl-bad.ndjson');
    const streamName = await newStream(1);
    const summary = await replay({
      sources: [source],
      kinesis: clients.kinesis,
      streamName,
      speedup: 0,
      deadLetterPath,
    });
    expect(summary).toMatchObject({
      ok: false,
      read: 14,
      sent: 9,
      deadLettered: 5,
      badLines: 5,
      error: null,
    });
    const letters = readFileSync(deadLetterPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters.map((l) => [l.lineNumber, l.code])).toEqual([
      [2, 'KSE_REPLAY_LINE_INVALID'],
      [3, 'KSE_REPLAY_TIMESTAMP_MISSING'],
      [4, 'KSE_REPLAY_LINE_INVALID'],
      [6, 'KSE_REPLAY_RECORD_TOO_LARGE'],
      [7, 'KSE_REPLAY_PARTITION_KEY_MISSING'],
    ]);
    expect(letters[0]).toMatchObject({ source, data: 'not json' });
    expect(letters[3]!.data).toBe(big);
    const shards = await readAllShards(clients.kinesis, streamName);
    expect(sorted([...shards.values()].flat())).toEqual(sorted(good));
    expect(orderProblems(shards, good)).toEqual([]);
  });
});

describe('replay batching, seek and pacing', () => {
  it('keeps every request within the record and byte limits', async () => {
    const lines = buildOrderLines({ orders: 400, seed: 2 });
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    const log = injectPutRecordsFaults(kinesis, {});
    const streamName = await newStream();
    const summary = await replay({
      sources: [writeLines('limits.json', lines)],
      kinesis,
      streamName,
      speedup: 0,
      maxBatchRecords: 50,
      maxBatchBytes: 8 * 1024,
      deadLetterPath: join(dir, 'dl-limits.ndjson'),
    });
    expect(summary.sent).toBe(1_200);
    expect(Math.max(...log.entriesPerRequest)).toBeLessThanOrEqual(50);
    expect(Math.max(...log.bytesPerRequest)).toBeLessThanOrEqual(8 * 1024);
    expect(log.entriesPerRequest.reduce((a, b) => a + b, 0)).toBe(1_200);
    kinesis.destroy();
  });

  it('starts from the first event at or after --seek', async () => {
    const lines = buildOrderLines({ orders: 10, seed: 3, stepMs: 60_000 });
    const streamName = await newStream(1);
    const summary = await replay({
      sources: [writeLines('seek.json', lines)],
      kinesis: clients.kinesis,
      streamName,
      speedup: 0,
      seek: '2026-01-01T00:04:00.000Z',
      deadLetterPath: join(dir, 'dl-seek.ndjson'),
    });
    expect(summary).toMatchObject({ ok: true, read: 18, sent: 18, skippedBeforeSeek: 12 });
    const shards = await readAllShards(clients.kinesis, streamName);
    expect(sorted([...shards.values()].flat())).toEqual(sorted(lines.slice(12)));
    expect(orderProblems(shards, lines.slice(12))).toEqual([]);
  });

  it('starts from the first event whose orderId is at least startId (-itemStartId)', async () => {
    const lines = buildOrderLines({ orders: 10, seed: 3 });
    const streamName = await newStream(1);
    const summary = await replay({
      sources: [writeLines('start-id.json', lines)],
      kinesis: clients.kinesis,
      streamName,
      speedup: 0,
      startId: 10_000_005,
      deadLetterPath: join(dir, 'dl-start-id.ndjson'),
    });
    expect(summary).toMatchObject({ ok: true, read: 18, sent: 18, skippedBeforeSeek: 12 });
    const shards = await readAllShards(clients.kinesis, streamName);
    expect(sorted([...shards.values()].flat())).toEqual(sorted(lines.slice(12)));
  });

  it('sends each event no earlier than its event time allows at speedup 1, in order', async () => {
    // 21 orders (3 lines each), 100 ms of event time apart, on a virtual clock: the pacer's
    // waits advance it, the emulator's replies do not, so each request's clock reading is
    // when the pacer let its records go.
    const lines = buildOrderLines({ orders: 21, seed: 4, stepMs: 100 });
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    let clock = 0;
    const waits: number[] = [];
    const requests: { at: number; lines: string[] }[] = [];
    kinesis.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutRecordsCommand') {
          const input = args.input as { Records: { Data: Uint8Array }[] };
          requests.push({
            at: clock,
            lines: input.Records.map((r) => Buffer.from(r.Data).toString('utf8')),
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordClock' },
    );
    const streamName = await newStream(1);
    const summary = await replay({
      sources: [writeLines('paced.json', lines)],
      kinesis,
      streamName,
      speedup: 1,
      concurrency: 1,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
        await new Promise((resolve) => setImmediate(resolve));
      },
      deadLetterPath: join(dir, 'dl-paced.ndjson'),
    });
    expect(summary).toMatchObject({ ok: true, read: 63, sent: 63, deadLettered: 0 });
    // Every line once, in file order (one shard, concurrency 1).
    expect(requests.flatMap((r) => r.lines)).toEqual(lines);
    // Event time of each line, from the first: it may leave no earlier than that.
    const first = Date.parse((JSON.parse(lines[0]!) as { orderDateTime: string }).orderDateTime);
    const early = requests.flatMap((r) =>
      r.lines
        .map((line) => Date.parse((JSON.parse(line) as { orderDateTime: string }).orderDateTime))
        .filter((t) => t - first > r.at)
        .map((t) => ({ due: t - first, sentAt: r.at })),
    );
    expect(early).toEqual([]);
    // The pacer waited out the 2,000 ms of event time: 20 steps of 100 ms.
    expect(waits).toEqual(Array(20).fill(100));
    expect(clock).toBe(2_000);
    kinesis.destroy();
  });
});

describe('replay with KPL aggregation (aggregate: true)', () => {
  /** The user records of stored Kinesis records, checking each aggregate keeps its key. */
  function unpack(records: StoredRecord[]): string[] {
    return records.flatMap((record) => {
      if (!isKplAggregated(record.data)) return [Buffer.from(record.data).toString('utf8')];
      const users = deaggregate(record.data);
      expect(users.map((u) => u.partitionKey)).toEqual(users.map(() => record.partitionKey));
      expect(users.every((u) => u.explicitHashKey === undefined)).toBe(true);
      return users.map((u) => Buffer.from(u.data).toString('utf8'));
    });
  }

  it('packs each order with its items under its orderId: every line once, each order on one shard in file order', async () => {
    const lines = buildOrderLines({ orders: 1000, seed: 5 });
    const streamName = await newStream(2);
    const summary = await replay({
      sources: [writeLines('aggregate.json', lines)],
      kinesis: clients.kinesis,
      streamName,
      speedup: 0,
      aggregate: true,
      deadLetterPath: join(dir, 'dl-aggregate.ndjson'),
    });
    expectAccounted(summary);
    expect(summary).toMatchObject({ ok: true, read: 3000, sent: 3000, deadLettered: 0 });
    // An order and its items meet in one batch (a batch cut can split a few of them).
    expect(summary.kinesisRecords).toBeGreaterThanOrEqual(1000);
    expect(summary.kinesisRecords).toBeLessThan(1200);
    const stored = await readAllShardRecords(clients.kinesis, streamName);
    const all = [...stored.values()].flat();
    expect(all).toHaveLength(summary.kinesisRecords);
    expect(all.filter((record) => isKplAggregated(record.data)).length).toBeGreaterThan(800);
    const shards = new Map([...stored].map(([id, records]) => [id, unpack(records)]));
    expect(sorted([...shards.values()].flat())).toEqual(sorted(lines));
    expect(orderProblems(shards, lines)).toEqual([]);
  });

  it('keeps each aggregate within 1 MiB and each request within 5 MiB and 500 records', async () => {
    // 240 records of ~60 KB under one key: aggregates of ~17, requests of ~4–5 aggregates.
    const pad = 'é'.repeat(30_000);
    const lines = Array.from({ length: 240 }, (_, i) =>
      JSON.stringify({
        orderId: 10_000_001 + i,
        orderDateTime: '2026-01-01T00:00:00.000Z',
        key: 'one-key',
        pad,
      }),
    );
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    const log = injectPutRecordsFaults(kinesis, {});
    const streamName = await newStream(2);
    const summary = await replay({
      sources: [writeLines('aggregate-limits.json', lines)],
      kinesis,
      streamName,
      speedup: 0,
      partitionKey: 'key',
      aggregate: true,
      concurrency: 1,
      lingerMs: 10_000,
      deadLetterPath: join(dir, 'dl-aggregate-limits.ndjson'),
    });
    kinesis.destroy();
    expect(summary).toMatchObject({ ok: true, read: 240, sent: 240 });
    expect(Math.max(...log.bytesPerRequest)).toBeLessThanOrEqual(LIMITS.kinesisPutRecordsMaxBytes);
    expect(Math.max(...log.entriesPerRequest)).toBeLessThanOrEqual(500);
    const stored = [...(await readAllShardRecords(clients.kinesis, streamName)).values()].flat();
    expect(stored.length).toBe(summary.kinesisRecords);
    expect(stored.length).toBeLessThan(30);
    for (const record of stored) {
      expect(record.data.byteLength + Buffer.byteLength(record.partitionKey)).toBeLessThanOrEqual(
        LIMITS.kinesisMaxRecordBytes,
      );
    }
    // One key, one shard: the records come back in file order.
    expect(unpack(stored)).toEqual(lines);
  });

  it('retries a failed aggregate whole, and dead-letters it record by record', async () => {
    const lines = buildOrderLines({ orders: 50, seed: 8 });
    const kinesis = createKinesisClient({ ...testAwsConfig(), maxAttempts: 1 });
    // Every Kinesis record carrying order 10000007 fails, every time.
    injectPutRecordsFaults(kinesis, {
      failEntry: ({ partitionKey }) => partitionKey === '10000007',
    });
    const streamName = await newStream(1);
    const deadLetterPath = join(dir, 'dl-aggregate-faults.ndjson');
    const summary = await replay({
      sources: [writeLines('aggregate-faults.json', lines)],
      kinesis,
      streamName,
      speedup: 0,
      aggregate: true,
      retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
      sleep: noSleep,
      deadLetterPath,
    });
    kinesis.destroy();
    expectAccounted(summary);
    expect(summary).toMatchObject({ ok: false, sent: 147, deadLettered: 3 });
    const letters = readFileSync(deadLetterPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { code: string; lineNumber: number; attempts: string[] });
    expect(letters.map((l) => [l.code, l.lineNumber, l.attempts.length])).toEqual([
      ['KSE_REPLAY_RETRIES_EXHAUSTED', 19, 3],
      ['KSE_REPLAY_RETRIES_EXHAUSTED', 20, 3],
      ['KSE_REPLAY_RETRIES_EXHAUSTED', 21, 3],
    ]);
    const shards = await readAllShardRecords(clients.kinesis, streamName);
    expect(sorted(unpack([...shards.values()].flat()))).toEqual(
      sorted(lines.filter((_, i) => i < 18 || i > 20)),
    );
  });
});

describe('replay abort', () => {
  it('stops on abort and accounts for every record read', async () => {
    // 60 s of events at speedup 1: the abort comes long before the end.
    const lines = buildOrderLines({ orders: 600, seed: 9, stepMs: 100 });
    const streamName = await newStream(1);
    const controller = new AbortController();
    const deadLetterPath = join(dir, 'dl-abort.ndjson');
    const summary = await replay({
      sources: [writeLines('abort.json', lines)],
      kinesis: clients.kinesis,
      streamName,
      speedup: 1,
      deadLetterPath,
      statsIntervalMs: 50,
      onStats: (s) => {
        if (s.sent >= 3) controller.abort(new Error('test abort'));
      },
      signal: controller.signal,
    });
    expect(summary.ok).toBe(false);
    expect(summary.error?.code).toBe('KSE_REPLAY_ABORTED');
    expect(summary.sent).toBeGreaterThanOrEqual(3);
    expect(summary.read).toBeLessThan(lines.length);
    expectAccounted(summary);
    const shards = await readAllShards(clients.kinesis, streamName);
    expect([...shards.values()].flat()).toHaveLength(summary.sent);
  });
});

describe('listS3Sources', () => {
  it('lists data objects under a prefix in key order across pages, skipping non-data', async () => {
    const bucket = uniqueName('replay-list');
    await ensureBucket(clients.s3, bucket);
    const keys = [
      'p/b.json',
      'p/a.json.gz',
      'p/c/d.json',
      'p/README.md',
      'p/_SUCCESS',
      'p/dir/',
      'q/x.json',
    ];
    for (const Key of keys) {
      await clients.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key, Body: Key.endsWith('/') ? '' : '{}\n' }),
      );
    }
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'p/empty.json', Body: '' }));
    const names: string[] = [];
    // A page size of 2 makes the listing take several pages.
    for await (const source of listS3Sources(clients.s3, bucket, 'p/', { pageSize: 2 }))
      names.push(source.name);
    expect(names).toEqual([
      `s3://${bucket}/p/a.json.gz`,
      `s3://${bucket}/p/b.json`,
      `s3://${bucket}/p/c/d.json`,
    ]);
  });
});
