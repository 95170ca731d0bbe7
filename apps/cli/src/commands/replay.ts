import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { createS3Client, ensureStream } from '@kse/local-stack';
import { replay, type ReplayStats, type ReplaySummary } from '@kse/replay';
import { replayKinesisClient } from '../pipeline/index.js';
import {
  addAwsOptions,
  describeTarget,
  openTarget,
  resolveTarget,
  selectAws,
  type AwsFlags,
} from './awsOptions.js';
import { EXIT_CODES } from './exitCodes.js';
import { onInterrupt } from './interrupt.js';
import { JOIN_PARTITION_KEY, openShardCount, partitionWarning } from './partitionWarning.js';
import { rewriteSampleFlags } from './sampleFlags.js';
import { terminalColumns, writeFitted } from '../report/index.js';

interface ReplayFlags extends AwsFlags {
  stream?: string;
  streamArn?: string;
  bucket?: string;
  prefix?: string;
  bucketRegion?: string;
  timestampAttribute: string;
  partitionKey: string;
  speedup: number;
  seek?: string;
  itemStartId?: number;
  idAttribute: string;
  aggregate?: boolean;
  /** `--no-watermark`: accepted, and true or false alike: kse never sends watermarks. */
  watermark: boolean;
  concurrency: number;
  maxAttempts: number;
  deadLetter: string;
  statsJson?: string;
  statsInterval: number;
  /** The sample's `-statisticsFrequency`, in ms: overrides `statsInterval`. */
  statsIntervalMs?: number;
  shards: number;
}

/**
 * The sample replayer's default speed-up (`-speedup`, 6480: an hour of event time in
 * about 0.56 s), kse replay's default too.
 */
export const SAMPLE_SPEEDUP = 6480;

/** Where `--bucket` is read without `--prefix`: the sample's layout (`orders/orders.json`). */
export const DEFAULT_BUCKET_PREFIX = 'orders/';

/**
 * The single-dash flags of the sample's Java replayer (`amazon-kinesis-replay`) and the
 * kse flags they stand for.
 */
export const SAMPLE_FLAGS: Readonly<Record<string, string>> = {
  '-streamName': '--stream',
  '-streamArn': '--stream-arn',
  '-streamRegion': '--region',
  '-bucketName': '--bucket',
  '-bucketRegion': '--bucket-region',
  '-objectPrefix': '--prefix',
  '-timestampAttributeName': '--timestamp-attribute',
  '-speedup': '--speedup',
  '-seek': '--seek',
  '-aggregate': '--aggregate',
  '-noWatermark': '--no-watermark',
  '-statisticsFrequency': '--stats-interval-ms',
  '-itemStartId': '--item-start-id',
};

/**
 * Rewrites the sample's single-dash flags (`-streamName x`, `-speedup=60`) to kse's
 * (`--stream x`, `--speedup=60`); everything else, and anything after `--`, is left as is.
 */
export function normalizeSampleFlags(argv: readonly string[]): string[] {
  return rewriteSampleFlags(argv, SAMPLE_FLAGS);
}

function speedupOption(value: string): number {
  if (value === 'max' || value === '0') return 0;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('must be a number > 0, or "max" (or 0) for no pacing');
  }
  return n;
}

function intOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function instantOption(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('must be an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z');
  }
  return value;
}

const number = new Intl.NumberFormat('en-US');

/** The periodic stats line, as the sample's replayer printed it. */
export function formatStatsLine(s: ReplayStats): string {
  return (
    `replay: ${number.format(s.sent)} events sent, ${number.format(s.eventsPerSecond)} events/s, ` +
    `replay lag ${(s.replayLagMs / 1000).toFixed(1)} s, in-flight ${s.inFlight}, ` +
    `requests ${number.format(s.requests)}, retries ${number.format(s.retries)}` +
    (s.deadLettered > 0 ? `, dead-lettered ${number.format(s.deadLettered)}` : '')
  );
}

function formatProgress(s: ReplayStats): string {
  const spinner = '|/-\\'[Math.floor(s.elapsedMs / 250) % 4];
  return (
    `${spinner} ${number.format(s.sent)} sent · ${number.format(s.eventsPerSecond)}/s · ` +
    `lag ${(s.replayLagMs / 1000).toFixed(1)} s · in-flight ${s.inFlight} · retries ${s.retries}` +
    (s.deadLettered > 0 ? ` · dead ${s.deadLettered}` : '') +
    (s.lastEventTime === null ? '' : ` · at ${s.lastEventTime}`)
  );
}

/** The final JSON summary of `--stats-json`. */
export function summaryJson(summary: ReplaySummary): Record<string, unknown> {
  return {
    ok: summary.ok,
    read: summary.read,
    sent: summary.sent,
    kinesisRecords: summary.kinesisRecords,
    deadLettered: summary.deadLettered,
    badLines: summary.badLines,
    skippedBeforeSeek: summary.skippedBeforeSeek,
    retries: summary.retries,
    requests: summary.requests,
    failedRequests: summary.failedRequests,
    bytesSent: summary.bytesSent,
    eventsPerSecond: summary.eventsPerSecond,
    durationMs: summary.durationMs,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    deadLetterPath: summary.deadLetterPath,
    error: summary.error === null ? null : summary.error.toJSON(),
  };
}

/**
 * `kse replay`: replays NDJSON files or S3 prefixes into a Kinesis stream, paced by a
 * timestamp attribute. Without `--endpoint` or AWS settings it runs against the embedded
 * local stack and creates the stream there. Exit 0 when every line was sent, 1 when some
 * were dead-lettered or the replay stopped, 2 on usage errors.
 */
export function registerReplay(program: Command): void {
  const command = program
    .command('replay')
    .description(
      'Replay NDJSON events from files or S3 into a Kinesis stream, in (accelerated) real time',
    )
    .argument('[sources...]', 'files, directories, globs or s3://bucket/prefix URIs, read in order')
    .option('--stream <name>', 'target stream name (sample: -streamName)')
    .option('--stream-arn <arn>', 'target stream ARN (sample: -streamArn)');
  addAwsOptions(command, 'AWS region of the stream (sample: -streamRegion)')
    .option('--bucket <name>', 'S3 bucket to read (sample: -bucketName)')
    .option(
      '--prefix <prefix>',
      `S3 key prefix within --bucket, "" for all of it (default: ${DEFAULT_BUCKET_PREFIX}, the sample's layout; sample: -objectPrefix)`,
    )
    .option('--bucket-region <region>', 'AWS region of the bucket (sample: -bucketRegion)')
    .option(
      '--timestamp-attribute <name>',
      'attribute holding the event time (sample: -timestampAttributeName)',
      'orderDateTime',
    )
    .option(
      '--partition-key <attribute>',
      'attribute used as partition key, or "random" (the sample\'s: one per event)',
      JOIN_PARTITION_KEY,
    )
    .addOption(
      new Option(
        '--speedup <n>',
        'event time ÷ n = wall time; 1: real time; "max" or 0: as fast as possible (sample: -speedup, same default)',
      )
        .default(SAMPLE_SPEEDUP)
        .argParser(speedupOption),
    )
    .option(
      '--seek <instant>',
      'start from the first event at or after this ISO-8601 instant (sample: -seek)',
      instantOption,
    )
    .option(
      '--item-start-id <id>',
      'start from the first event whose --id-attribute is ≥ id, e.g. to resume (sample: -itemStartId)',
      intOption(0, Number.MAX_SAFE_INTEGER),
    )
    .option('--id-attribute <name>', 'attribute --item-start-id is compared with', 'orderId')
    .option(
      '--aggregate',
      'KPL-aggregate records of one partition key into one Kinesis record (sample: -aggregate)',
    )
    .option(
      '--no-watermark',
      "accepted for the sample's -noWatermark: kse replay never sends watermark events",
    )
    .option('--concurrency <n>', 'concurrent PutRecords requests', intOption(1, 64), 4)
    .option(
      '--max-attempts <n>',
      'tries per record before it is dead-lettered',
      intOption(1, 100),
      8,
    )
    .option(
      '--dead-letter <file>',
      'NDJSON file for records that were not sent',
      'replay-dead-letter.ndjson',
    )
    .option('--stats-json <file>', 'write the final summary as JSON to this file')
    .option(
      '--stats-interval <seconds>',
      "seconds between stats lines off a terminal (the sample's default: 20)",
      intOption(1, 3600),
      5,
    )
    .addOption(
      new Option('--stats-interval-ms <ms>', "the sample's -statisticsFrequency")
        .argParser(intOption(1, 3_600_000))
        .hideHelp(),
    )
    .option(
      '--shards <n>',
      'shards of the stream when it is created on the embedded stack',
      intOption(1, 64),
      2,
    )
    .addHelpText(
      'after',
      `
The sample's single-dash flags are accepted too: -streamName, -streamArn,
-streamRegion, -bucketName, -bucketRegion, -objectPrefix, -timestampAttributeName,
-speedup, -seek, -aggregate, -noWatermark, -statisticsFrequency <ms>, -itemStartId.
Its defaults are kept where they do no harm: speed-up 6480, the bucket layout
(orders/, products/). Not where they do: its partition keys were random (one per
event), which parts an order from its items on a stream of several shards, where
kse's per-shard join cannot match them (kse keys by orderId, and warns when the
partitioning risks that); it put watermark events into every shard, which kse's
join does not need and would dead-letter (kse never sends them); its stats came
every 20 s (kse: 5 s).
--aggregate packs only records of one partition key, under that key: each Kinesis
record lands on the shard its records would have, so an order and its items travel
as one record. Lambda, the KCL and kse's handlers unpack them.
--target local (the default) replays into the \`kse local up\` stack when one
is running, else into an embedded stack started for this command (the stream
is created, and both are gone at the end), whatever AWS_* variables say.
--endpoint-url or --target aws (--profile, --region) write into an existing
stream.`,
    )
    .action(async (sources: string[], flags: ReplayFlags, cmd: Command) => {
      process.exitCode = await runReplay(sources, flags, cmd);
    });
  // The sample's flags are rewritten before commander reads them (it has no multi-letter
  // short flags).
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (argv: string[]) => parseOptions(normalizeSampleFlags(argv));
}

async function runReplay(sources: string[], flags: ReplayFlags, cmd: Command): Promise<number> {
  const specs = [...sources];
  if (flags.bucket !== undefined)
    specs.push(`s3://${flags.bucket}/${flags.prefix ?? DEFAULT_BUCKET_PREFIX}`);
  else if (flags.prefix !== undefined) cmd.error('error: --prefix needs --bucket', { exitCode: 2 });
  if (specs.length === 0)
    cmd.error('error: give at least one source, or --bucket', { exitCode: 2 });
  const arnName =
    flags.streamArn === undefined ? undefined : /:stream\/(.+)$/.exec(flags.streamArn)?.[1];
  const streamName = flags.stream ?? arnName;
  if (streamName === undefined)
    cmd.error('error: --stream or --stream-arn is required', { exitCode: 2 });

  const target = resolveTarget(selectAws(flags, 'kse replay'), true);
  const aws = await openTarget(target, { speedups: true });
  // The SDK retries whole calls (REPLAY_SDK_MAX_ATTEMPTS of @kse/replay: nothing re-drives
  // a call it gave up on; or AWS_MAX_ATTEMPTS); the producer re-sends only the entries
  // Kinesis did not accept (--max-attempts).
  const kinesis = replayKinesisClient(aws.config);
  const s3 =
    flags.bucketRegion === undefined
      ? aws.clients.s3
      : createS3Client({ ...aws.config, region: flags.bucketRegion });
  const interrupt = onInterrupt();
  const tty = process.stderr.isTTY === true;
  try {
    if (aws.stack !== undefined) {
      writeFitted(
        process.stderr,
        `replay: the embedded local stack (${aws.config.endpoints.kinesis}); creating stream ${streamName} with ${flags.shards} shards\n`,
      );
      await ensureStream(kinesis, { streamName, shardCount: flags.shards });
    } else if (target.kind === 'kse-stack') {
      process.stderr.write(`replay: into ${describeTarget(target)}\n`);
    }
    const shards =
      aws.stack !== undefined
        ? flags.shards
        : await openShardCount(kinesis, { streamName, streamArn: flags.streamArn });
    const warning = shards === undefined ? undefined : partitionWarning(flags.partitionKey, shards);
    if (warning !== undefined) process.stderr.write(`${warning}\n`);
    const summary = await replay({
      sources: specs,
      kinesis,
      s3,
      // An ARN goes out as is (cross-account); its name is also sent for emulators.
      streamName,
      streamArn: aws.stack === undefined ? flags.streamArn : undefined,
      timestampAttribute: flags.timestampAttribute,
      partitionKey: flags.partitionKey,
      speedup: flags.speedup,
      seek: flags.seek,
      startId: flags.itemStartId,
      idAttribute: flags.idAttribute,
      aggregate: flags.aggregate === true,
      concurrency: flags.concurrency,
      retry: { maxAttempts: flags.maxAttempts },
      deadLetterPath: flags.deadLetter,
      statsIntervalMs: tty ? 250 : (flags.statsIntervalMs ?? flags.statsInterval * 1000),
      onStats: (stats) => {
        // One line redrawn in place: cut to the terminal's width (a wrapped one would not be).
        if (tty) {
          const line = formatProgress(stats).slice(0, terminalColumns(process.stderr) - 1);
          process.stderr.write(`\r\x1b[2K${line}`);
        } else process.stderr.write(formatStatsLine(stats) + '\n');
      },
      signal: interrupt.signal,
    });
    if (tty) process.stderr.write('\n');
    writeFitted(
      process.stderr,
      `replay: ${summary.ok ? 'done' : 'FAILED'}: read ${number.format(summary.read)}, sent ${number.format(summary.sent)}, ` +
        `dead-lettered ${number.format(summary.deadLettered)}, retries ${number.format(summary.retries)}, ` +
        `${(summary.durationMs / 1000).toFixed(1)} s` +
        (flags.aggregate === true
          ? `, in ${number.format(summary.kinesisRecords)} KPL-aggregated records`
          : '') +
        (summary.deadLetterPath === null ? '' : `; dead letters in ${summary.deadLetterPath}`) +
        (summary.error === null ? '' : `\nreplay: ${summary.error.message}`) +
        '\n',
    );
    if (flags.statsJson !== undefined) {
      await writeFile(flags.statsJson, JSON.stringify(summaryJson(summary), null, 2) + '\n');
    }
    if (interrupt.signal.aborted) {
      throw interrupt.interrupted(
        `${number.format(summary.sent)} of ${number.format(summary.read)} read records sent; nothing left running`,
      );
    }
    // The replay stopped (a source or the stream failed), or records could not be sent
    // after their retries: AWS failed, not the data. Bad lines alone are "not exact" (1).
    if (summary.error !== null || summary.deadLettered > summary.badLines) {
      return EXIT_CODES.infrastructure;
    }
    return summary.ok ? EXIT_CODES.ok : EXIT_CODES.notExact;
  } finally {
    interrupt.dispose();
    kinesis.destroy();
    if (s3 !== aws.clients.s3) s3.destroy();
    await aws.close();
  }
}
