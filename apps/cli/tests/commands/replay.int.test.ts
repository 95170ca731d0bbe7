import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { createAwsClients, ensureBucket, ensureStream, type AwsClients } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { decodeKinesisEvent, toKinesisStreamEvent } from '@kse/lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/program.js';

let clients: AwsClients;
let dir: string;
let endpoint: string;

beforeAll(() => {
  const config = testAwsConfig();
  clients = createAwsClients(config);
  endpoint = config.endpoints.kinesis!;
  dir = mkdtempSync(join(tmpdir(), 'kse-cli-replay-'));
});

afterAll(() => {
  clients.kinesis.destroy();
  clients.s3.destroy();
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

function orders(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const orderId = 10_000_001 + i;
    const orderDateTime = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    lines.push(JSON.stringify({ orderId, orderDateTime, recordType: 'Order', shipToName: 'Zoë' }));
    lines.push(
      JSON.stringify({ orderId, itemId: 999_900_001 + i, orderDateTime, recordType: 'OrderItem' }),
    );
  }
  return lines;
}

/** Every record of every shard as stored: partition key and bytes, by shard. */
async function readStoredRecords(
  streamName: string,
): Promise<Map<string, { partitionKey: string; data: Uint8Array }[]>> {
  const { Shards = [] } = await clients.kinesis.send(
    new ListShardsCommand({ StreamName: streamName }),
  );
  const out = new Map<string, { partitionKey: string; data: Uint8Array }[]>();
  for (const shard of Shards) {
    const records: { partitionKey: string; data: Uint8Array }[] = [];
    let { ShardIterator: it } = await clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (it !== undefined) {
      const page = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
      for (const r of page.Records ?? [])
        records.push({ partitionKey: r.PartitionKey!, data: r.Data! });
      if ((page.Records ?? []).length === 0) break;
      it = page.NextShardIterator;
    }
    out.set(shard.ShardId!, records);
  }
  return out;
}

async function readStream(streamName: string): Promise<string[]> {
  const { Shards = [] } = await clients.kinesis.send(
    new ListShardsCommand({ StreamName: streamName }),
  );
  const out: string[] = [];
  for (const shard of Shards) {
    let { ShardIterator: it } = await clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (it !== undefined) {
      const page = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
      for (const r of page.Records ?? []) out.push(Buffer.from(r.Data!).toString('utf8'));
      if ((page.Records ?? []).length === 0) break;
      it = page.NextShardIterator;
    }
  }
  return out.sort();
}

describe('kse replay against the local stack', () => {
  it('replays a file with kse flags, writes --stats-json and exits 0', async () => {
    const lines = orders(50);
    const source = join(dir, 'orders.json');
    writeFileSync(source, lines.join('\n') + '\n');
    const streamName = uniqueName('cli-replay');
    await ensureStream(clients.kinesis, { streamName, shardCount: 2 });
    const statsJson = join(dir, 'stats.json');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runCli([
      'replay',
      source,
      '--stream',
      streamName,
      '--endpoint',
      endpoint,
      '--speedup',
      'max',
      '--stats-json',
      statsJson,
      '--dead-letter',
      join(dir, 'dl.ndjson'),
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(statsJson, 'utf8'))).toMatchObject({
      ok: true,
      read: 100,
      sent: 100,
      deadLettered: 0,
      retries: 0,
      error: null,
    });
    expect(stderr.mock.calls.join('')).toMatch(/replay: done: read 100, sent 100, dead-lettered 0/);
    expect(await readStream(streamName)).toEqual([...lines].sort());
  });

  it('accepts the sample flags with an S3 bucket and prefix of gzip objects', async () => {
    const lines = orders(20);
    const bucket = uniqueName('cli-replay');
    await ensureBucket(clients.s3, bucket);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'in/orders.json.gz',
        Body: gzipSync(lines.join('\n')),
      }),
    );
    const streamName = uniqueName('cli-replay');
    await ensureStream(clients.kinesis, { streamName, shardCount: 1 });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // The local stack serves each service on its own port: per-service endpoints via env,
    // which the aws target reads (the local target ignores AWS_* variables).
    vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_S3', testAwsConfig().endpoints.s3!);
    const code = await runCli([
      'replay',
      '--target',
      'aws',
      '-streamName',
      streamName,
      '-bucketName',
      bucket,
      '-objectPrefix',
      'in/',
      '-speedup',
      '0',
      '-timestampAttributeName',
      'orderDateTime',
      '--dead-letter',
      join(dir, 'dl-s3.ndjson'),
    ]);
    expect(stderr.mock.calls.join('')).toMatch(/replay: done: read 40, sent 40/);
    expect(code).toBe(0);
    expect(await readStream(streamName)).toEqual([...lines].sort());
  });

  it('exits 1 and writes the dead-letter file when lines are bad', async () => {
    const source = join(dir, 'bad.json');
    writeFileSync(source, [...orders(2), 'not json', '{"orderId":1}'].join('\n') + '\n');
    const streamName = uniqueName('cli-replay');
    await ensureStream(clients.kinesis, { streamName, shardCount: 1 });
    const deadLetter = join(dir, 'dl-bad.ndjson');
    const statsJson = join(dir, 'stats-bad.json');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runCli([
      'replay',
      source,
      '--stream',
      streamName,
      '--endpoint',
      endpoint,
      '--speedup',
      'max',
      '--dead-letter',
      deadLetter,
      '--stats-json',
      statsJson,
    ]);
    expect(code).toBe(1);
    expect(existsSync(deadLetter)).toBe(true);
    const stats = JSON.parse(readFileSync(statsJson, 'utf8')) as Record<string, number>;
    expect(stats).toMatchObject({ ok: false, read: 6, sent: 4, deadLettered: 2 });
    expect(
      readFileSync(deadLetter, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { lineNumber: number }).lineNumber),
    ).toEqual([5, 6]);
  });

  it('uses the embedded local stack and creates the stream when nothing is configured', async () => {
    for (const name of [
      'AWS_ENDPOINT_URL',
      'AWS_ENDPOINT_URL_KINESIS',
      'AWS_ENDPOINT_URL_S3',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    ]) {
      vi.stubEnv(name, '');
    }
    const source = join(dir, 'embedded.json');
    writeFileSync(source, orders(5).join('\n') + '\n');
    const statsJson = join(dir, 'stats-embedded.json');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await runCli([
      'replay',
      source,
      '--stream',
      'OrdersStream',
      '--speedup',
      'max',
      '--stats-json',
      statsJson,
      '--dead-letter',
      join(dir, 'dl-embedded.ndjson'),
    ]);
    expect(stderr.mock.calls.join('')).toMatch(
      /embedded local stack .*creating stream OrdersStream with 2 shards/,
    );
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(statsJson, 'utf8'))).toMatchObject({
      ok: true,
      read: 10,
      sent: 10,
    });
  });

  it("replays the sample's command (its bucket layout, -aggregate and friends) into a 2-shard stream that Lambda's decoding unpacks", async () => {
    const lines = orders(30);
    const bucket = uniqueName('cli-replay');
    await ensureBucket(clients.s3, bucket);
    // The sample's layout: orders/orders.json and products/products.json.
    for (const [Key, Body] of [
      ['orders/orders.json', lines.join('\n') + '\n'],
      ['products/products.json', '{"productId":999900001,"productName":"x","productPrice":1}\n'],
    ]) {
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    }
    const streamName = uniqueName('cli-replay');
    await ensureStream(clients.kinesis, { streamName, shardCount: 2 });
    const statsJson = join(dir, 'stats-sample.json');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_S3', testAwsConfig().endpoints.s3!);
    // The seed's step "Ingest order and item events", plus the replayer's other flags; its
    // default speed-up (6480) replays these 30 s of events in about 5 ms.
    const region = testAwsConfig().region;
    const code = await runCli([
      'replay',
      // The test run's stack through the AWS_ENDPOINT_URL_* set above (the default local
      // target ignores every AWS_* variable).
      '--target',
      'aws',
      '-streamName',
      streamName,
      '-streamRegion',
      region,
      '-bucketName',
      bucket,
      '-bucketRegion',
      region,
      '-objectPrefix',
      'orders',
      '-timestampAttributeName',
      'orderDateTime',
      '-aggregate',
      '-noWatermark',
      '-statisticsFrequency',
      '1000',
      '--stats-json',
      statsJson,
      '--dead-letter',
      join(dir, 'dl-sample.ndjson'),
    ]);
    const err = stderr.mock.calls.join('');
    expect(err).toMatch(/replay: done: read 60, sent 60, dead-lettered 0/);
    expect(err).toMatch(/in \d+ KPL-aggregated records/);
    expect(err).not.toMatch(/warning/);
    expect(code).toBe(0);
    const stats = JSON.parse(readFileSync(statsJson, 'utf8')) as Record<string, unknown>;
    expect(stats).toMatchObject({ ok: true, read: 60, sent: 60 });
    // An order and its item go as one Kinesis record under its orderId (unless a batch
    // was cut between them, on a busy machine: then each goes plain, under the same key);
    // the Lambda adapters' decoding unpacks them into the lines of orders.json.
    const stored = await readStoredRecords(streamName);
    const all = [...stored.values()].flat();
    expect(all).toHaveLength(stats.kinesisRecords as number);
    expect(all.filter((r) => r.data[0] === 0xf3).length).toBeGreaterThanOrEqual(20);
    const unpacked: string[] = [];
    for (const [shardId, records] of stored) {
      const event = toKinesisStreamEvent(
        records.map((r, i) => ({
          sequenceNumber: String(i + 1).padStart(20, '0'),
          partitionKey: r.partitionKey,
          data: Buffer.from(r.data).toString('base64'),
          arrivalMs: Date.now(),
        })),
        {
          shardId,
          region,
          streamArn: `arn:aws:kinesis:${region}:000000000000:stream/${streamName}`,
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
        },
      );
      const { records: users, failures } = decodeKinesisEvent(event);
      expect(failures).toEqual([]);
      for (const user of users) {
        expect(String(JSON.parse(Buffer.from(user.data).toString('utf8')).orderId)).toBe(
          user.partitionKey,
        );
        unpacked.push(Buffer.from(user.data).toString('utf8'));
      }
    }
    expect(unpacked.sort()).toEqual([...lines].sort());
  });

  it('warns once, on stderr, when random partition keys meet a stream of 2 shards', async () => {
    const source = join(dir, 'random-keys.json');
    writeFileSync(source, orders(10).join('\n') + '\n');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const replayInto = async (shardCount: number, partitionKey: string): Promise<string> => {
      const streamName = uniqueName('cli-replay');
      await ensureStream(clients.kinesis, { streamName, shardCount });
      stderr.mockClear();
      const code = await runCli([
        'replay',
        source,
        '--stream',
        streamName,
        '--endpoint',
        endpoint,
        '--partition-key',
        partitionKey,
        '--dead-letter',
        join(dir, 'dl-random.ndjson'),
      ]);
      expect(code).toBe(0);
      return stderr.mock.calls.join('');
    };
    const warned = await replayInto(2, 'random');
    expect(warned.match(/^replay: warning: .*$/gm)).toEqual([
      "replay: warning: --partition-key random on 2 shards: kse's join may miss items",
    ]);
    expect(await replayInto(1, 'random')).not.toMatch(/warning/);
    expect(await replayInto(2, 'orderId')).not.toMatch(/warning/);
  });
});
