import { afterEach, describe, expect, it, vi } from 'vitest';
import { partitionWarning } from '../../src/commands/partitionWarning.js';
import { formatStatsLine, normalizeSampleFlags } from '../../src/commands/replay.js';
import { EXIT_USAGE, runCli } from '../../src/program.js';

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function captureStderr(): { text: () => string } {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return { text: () => spy.mock.calls.map((c) => String(c[0])).join('') };
}

describe('normalizeSampleFlags', () => {
  it('rewrites the sample replayer flags to kse flags', () => {
    expect(
      normalizeSampleFlags([
        '-streamName',
        'OrdersStream',
        '-streamRegion',
        'eu-west-1',
        '-bucketName',
        'b',
        '-objectPrefix',
        'orders/',
        '-bucketRegion',
        'us-east-1',
        '-timestampAttributeName',
        'ts',
        '-speedup=600',
        '-seek',
        '2026-01-01T00:00:00Z',
        '-streamArn',
        'arn',
      ]),
    ).toEqual([
      '--stream',
      'OrdersStream',
      '--region',
      'eu-west-1',
      '--bucket',
      'b',
      '--prefix',
      'orders/',
      '--bucket-region',
      'us-east-1',
      '--timestamp-attribute',
      'ts',
      '--speedup=600',
      '--seek',
      '2026-01-01T00:00:00Z',
      '--stream-arn',
      'arn',
    ]);
  });

  it("rewrites the sample replayer's -aggregate, -noWatermark, -statisticsFrequency and -itemStartId", () => {
    expect(
      normalizeSampleFlags([
        '-aggregate',
        '-noWatermark',
        '-statisticsFrequency',
        '20000',
        '-itemStartId=10000005',
      ]),
    ).toEqual([
      '--aggregate',
      '--no-watermark',
      '--stats-interval-ms',
      '20000',
      '--item-start-id=10000005',
    ]);
  });

  it('leaves kse flags, values and everything after -- alone', () => {
    expect(normalizeSampleFlags(['--stream', '-speedup', 'a.json', '--', '-seek'])).toEqual([
      '--stream',
      '--speedup',
      'a.json',
      '--',
      '-seek',
    ]);
  });
});

describe('kse replay usage', () => {
  it('exits 2 for a bad --speedup', async () => {
    const stderr = captureStderr();
    expect(await runCli(['replay', 'a.json', '--stream', 's', '--speedup', 'fast'])).toBe(
      EXIT_USAGE,
    );
    expect(stderr.text()).toMatch(/--speedup.*must be a number > 0, or "max"/);
  });

  it('exits 2 for a bad sample -seek', async () => {
    const stderr = captureStderr();
    expect(await runCli(['replay', 'a.json', '-streamName', 's', '-seek', 'yesterday'])).toBe(
      EXIT_USAGE,
    );
    expect(stderr.text()).toMatch(/--seek.*ISO-8601/);
  });

  it('exits 2 without a stream', async () => {
    const stderr = captureStderr();
    expect(await runCli(['replay', 'a.json'])).toBe(EXIT_USAGE);
    expect(stderr.text()).toMatch(/--stream or --stream-arn is required/);
  });

  it('exits 2 without a source', async () => {
    const stderr = captureStderr();
    expect(await runCli(['replay', '--stream', 's'])).toBe(EXIT_USAGE);
    expect(stderr.text()).toMatch(/at least one source/);
  });

  it('is listed in kse --help', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await runCli(['--help'])).toBe(0);
    expect(stdout.mock.calls.join('')).toMatch(
      /replay \[options\] \[sources\.\.\.\]\s+Replay NDJSON/,
    );
  });
});

describe('kse replay --help', () => {
  it("names the sample's flags and states its defaults: speed-up 6480, partition key orderId", async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await runCli(['replay', '--help'])).toBe(0);
    const help = stdout.mock.calls.join('').replace(/\s+/g, ' ');
    for (const flag of ['-aggregate', '-noWatermark', '-statisticsFrequency', '-itemStartId']) {
      expect(help).toContain(flag);
    }
    expect(help).toMatch(/--speedup <n> .*\(default: 6480\)/);
    expect(help).toMatch(/--partition-key <attribute> .*\(default: "orderId"\)/);
    expect(help).toMatch(/--prefix <prefix> .*default: orders\//);
  });
});

describe('partitionWarning', () => {
  it('warns in one line of at most 80 columns for random keys on more than one shard', () => {
    const warning = partitionWarning('random', 2);
    expect(warning).toMatch(/^replay: warning: --partition-key random on 2 shards/);
    expect(warning).not.toContain('\n');
    expect(warning!.length).toBeLessThanOrEqual(80);
    expect(partitionWarning('recordType', 4)).toContain('--partition-key recordType on 4 shards');
  });

  it('stays silent when an order and its items share a shard: orderId keys, or one shard', () => {
    expect(partitionWarning('orderId', 8)).toBeUndefined();
    expect(partitionWarning('random', 1)).toBeUndefined();
  });
});

describe('formatStatsLine', () => {
  it('prints events sent, events/s, replay lag, in-flight, requests and retries', () => {
    expect(
      formatStatsLine({
        read: 12_000,
        sent: 12_000,
        kinesisRecords: 12_000,
        deadLettered: 0,
        badLines: 0,
        pending: 0,
        skippedBeforeSeek: 0,
        requests: 30,
        retries: 4,
        retriesByKind: { 'kinesis.ProvisionedThroughputExceededException': 4 },
        failedRequests: 0,
        inFlight: 3,
        bytesSent: 1,
        eventsPerSecond: 2_400,
        replayLagMs: 400,
        lastEventTime: null,
        currentSource: 'a.json',
        acknowledged: null,
        sourcesRead: 0,
        elapsedMs: 5_000,
      }),
    ).toBe(
      'replay: 12,000 events sent, 2,400 events/s, replay lag 0.4 s, in-flight 3, requests 30, retries 4',
    );
  });
});
