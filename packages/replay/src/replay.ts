import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { LIMITS, isSchemaError, parseJson, readNdjsonLines } from '@kse/schemas';
import { AcknowledgedPrefix, type ReplayPosition } from './AcknowledgedPrefix.js';
import { DeadLetterFile } from './DeadLetterFile.js';
import { ReplayError, isReplayError } from './errors.js';
import { KinesisProducer, type ProducerStats } from './KinesisProducer.js';
import { Pacer } from './Pacer.js';
import { describeError, sleep as realSleep, type RetryCounters, type Sleep } from '@kse/core';
import type { RetryOptions } from './KinesisProducer.js';
import { resolveSources, type ReplaySource } from './sources.js';
import type { DeadLetter, DeadLetterSink, ReplayRecord } from './types.js';

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Files, directories, globs, `s3://bucket/prefix` URIs, or {@link ReplaySource}s; read in order. */
  sources: (string | ReplaySource)[];
  /**
   * Kinesis client, with any `maxAttempts`: the SDK retries whole calls, the producer failed
   * entries. Give it {@link REPLAY_SDK_MAX_ATTEMPTS}: nothing retries a call the SDK gave up on.
   */
  kinesis: KinesisClient;
  /** S3 client, needed for `s3://` sources. */
  s3?: S3Client;
  /** Target stream by name (or `streamArn`). */
  streamName?: string;
  streamArn?: string;
  /** Attribute holding the event time (ISO-8601 string or ms epoch). Default `orderDateTime`. */
  timestampAttribute?: string;
  /** Attribute whose value is the partition key, or `random`. Default `orderId`. */
  partitionKey?: string;
  /** Event time ÷ speedup = wall time; `0` or `Infinity` = as fast as Kinesis accepts. Default 1. */
  speedup?: number;
  /** Start from the first event at or after this instant (ISO string, Date or ms epoch). */
  seek?: string | Date | number;
  /**
   * Start from the first event whose `idAttribute` is a number ≥ this id (the sample
   * replayer's `-itemStartId`: resume where a stopped replay left off). With `seek`, the
   * replay starts at the first event past both.
   */
  startId?: number;
  /** Attribute `startId` is compared with. Default `orderId`. */
  idAttribute?: string;
  /**
   * Pack records of one partition key into KPL-aggregated Kinesis records (see
   * `ProducerOptions.aggregate`). Default false.
   */
  aggregate?: boolean;
  /** Concurrent PutRecords requests. Default 4. */
  concurrency?: number;
  /** Records per PutRecords request (≤ 500). Default 500. */
  maxBatchRecords?: number;
  /** Bytes per PutRecords request (≤ 5 MiB). Default 5 MiB. */
  maxBatchBytes?: number;
  /** A partial batch waits at most this long for more records. Default 50 ms. */
  lingerMs?: number;
  /** Retry budget and backoff of PutRecords. */
  retry?: Partial<RetryOptions>;
  /** Counts re-sends by kind; share one with `countSdkRetries` of `@kse/core` to add the SDK's. */
  retryCounters?: RetryCounters;
  /** NDJSON file receiving records that were not sent (created only if needed). */
  deadLetterPath?: string;
  /** Receives records that were not sent (in addition to, or instead of, the file). */
  onDeadLetter?: DeadLetterSink;
  /** Called every `statsIntervalMs` and once at the end. */
  onStats?: (stats: ReplayStats) => void;
  /** Default 1,000 ms. */
  statsIntervalMs?: number;
  /** Lines longer than this are dead-lettered without their data. Default 4 MiB. */
  maxDeadLetterDataBytes?: number;
  signal?: AbortSignal;
  /** Monotonic clock in ms, for pacing. Default `performance.now`. */
  now?: () => number;
  sleep?: Sleep;
  /** Random source in [0, 1): backoff jitter and `random` partition keys. */
  random?: () => number;
}

/**
 * The SDK attempts a replay's Kinesis client should make per PutRecords call: 8, where
 * `@kse/core`'s default is 3. Whole calls (throttling, 5xx, timeouts) are the SDK's to
 * retry, and a replay has no re-drive behind it: a handler's failed batch is retried by
 * Lambda, but a PutRecords call the SDK gives up on dead-letters its records (up to 500).
 * With 3 attempts, a 7 % rate of whole-call faults loses a call in about 3,000 (0.07³);
 * with 8, about one in 1.7 billion. The budget matches the producer's own for failed
 * entries (`retry.maxAttempts`, 8). The standard retry mode caps each wait at 20 s.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient(sdkClientConfig({ maxAttempts: REPLAY_SDK_MAX_ATTEMPTS }));
 * ```
 */
export const REPLAY_SDK_MAX_ATTEMPTS = 8;

/** Defaults of {@link ReplayOptions}. */
export const DEFAULT_REPLAY_OPTIONS = {
  timestampAttribute: 'orderDateTime',
  partitionKey: 'orderId',
  idAttribute: 'orderId',
  speedup: 1,
  aggregate: false,
  concurrency: 4,
  statsIntervalMs: 1_000,
  maxDeadLetterDataBytes: 4 * 1024 * 1024,
} satisfies Partial<ReplayOptions>;

/** Counters of a replay. `read = sent + deadLettered + pending` (pending is 0 at the end). */
export interface ReplayStats {
  /** Lines taken into the replay (every line but those skipped by `seek`). */
  read: number;
  /** Records Kinesis accepted. */
  sent: number;
  /** Kinesis records they went in: `sent`, or fewer with `aggregate`. */
  kinesisRecords: number;
  /** Records not sent: bad lines, too large, rejected, retries exhausted, aborted. */
  deadLettered: number;
  /** Of `deadLettered`: lines that were not JSON or lacked an attribute, or too large. */
  badLines: number;
  /** Read and not yet sent or dead-lettered. */
  pending: number;
  /** Lines passed over before the `seek` instant or `startId` (not counted in `read`). */
  skippedBeforeSeek: number;
  /** PutRecords requests, retries included. */
  requests: number;
  /** Kinesis records re-sent after a per-entry failure. */
  retries: number;
  /** Re-sends by kind (`kinesis.<ErrorCode>`; `sdk.<error>` when the client is counted with `countSdkRetries`). */
  retriesByKind: Record<string, number>;
  /** Requests that failed whole after the SDK's retries. */
  failedRequests: number;
  /** Requests on the wire now. */
  inFlight: number;
  bytesSent: number;
  /** Records sent per second: since the previous stats call, or overall in the summary. */
  eventsPerSecond: number;
  /** How far behind its schedule the replay is, in ms (0 when unpaced or on time). */
  replayLagMs: number;
  /** Event time of the last record read, ISO-8601, or null. */
  lastEventTime: string | null;
  /** Source being read. */
  currentSource: string | null;
  /**
   * The last line of the longest run of lines, from the first one read, that Kinesis has
   * acknowledged (every line up to it is in the stream), or null. A dead-lettered line ends
   * the run. To resume a replay that died, start again at `acknowledged.id` (`startId`):
   * lines after it may be sent twice, none is skipped.
   */
  acknowledged: ReplayPosition | null;
  sourcesRead: number;
  elapsedMs: number;
}

/** What {@link replay} returns. */
export interface ReplaySummary extends ReplayStats {
  /** True when every line read was sent and nothing failed. */
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The dead-letter file, when one was written. */
  deadLetterPath: string | null;
  /** What stopped the replay early (source error, fatal PutRecords error, abort). */
  error: ReplayError | null;
}

type JsonObject = Record<string, unknown>;

function toEpochMs(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'string' && value.length > 0) return Date.parse(value);
  return Number.NaN;
}

/** An id attribute as a number: a number, or a string of one; NaN otherwise. */
function idOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function checkOptions(options: ReplayOptions): void {
  const fail = (option: string, reason: string): never => {
    throw new ReplayError('KSE_REPLAY_OPTIONS_INVALID', `${option} ${reason}`, { option });
  };
  if (!Array.isArray(options.sources) || options.sources.length === 0) {
    fail('sources', 'must name at least one file, glob or s3:// prefix');
  }
  if (options.streamName === undefined && options.streamArn === undefined) {
    fail('streamName', 'or streamArn is required');
  }
  const speedup = options.speedup ?? DEFAULT_REPLAY_OPTIONS.speedup;
  if (Number.isNaN(speedup) || speedup < 0) fail('speedup', `must be ≥ 0 or max; got ${speedup}`);
  if (
    options.seek !== undefined &&
    Number.isNaN(toEpochMs(options.seek instanceof Date ? options.seek.getTime() : options.seek))
  ) {
    fail('seek', `must be an ISO-8601 instant; got ${String(options.seek)}`);
  }
  if (options.startId !== undefined && !Number.isFinite(options.startId)) {
    fail('startId', `must be a number; got ${options.startId}`);
  }
  if (options.deadLetterPath === undefined && options.onDeadLetter === undefined) {
    fail(
      'deadLetterPath',
      'or onDeadLetter is required: records that cannot be sent must go somewhere',
    );
  }
}

/**
 * Replays NDJSON events from files and S3 prefixes into a Kinesis stream, paced by a
 * timestamp attribute and a speed-up factor, through a {@link KinesisProducer}. Bad lines,
 * oversized records and records whose retries ran out are dead-lettered with their source
 * and line number; the replay goes on. Throws only for invalid options; anything that
 * stops it later (a missing source, a fatal Kinesis error, an abort) is reported in the
 * summary's `error`, with every record accounted for.
 *
 * @example
 * ```ts
 * const summary = await replay({
 *   sources: ['s3://my-bucket/orders/'], kinesis, s3, streamName: 'OrdersStream',
 *   speedup: 60, deadLetterPath: 'dead-letters.ndjson', onStats: (s) => console.error(s.sent),
 * });
 * if (!summary.ok) process.exitCode = 1;  // summary.read === summary.sent + summary.deadLettered
 * ```
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  checkOptions(options);
  const o = {
    ...DEFAULT_REPLAY_OPTIONS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as ReplayOptions & typeof DEFAULT_REPLAY_OPTIONS;
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? realSleep;
  const random = o.random ?? Math.random;
  const speedup = o.speedup;
  const seekMs =
    o.seek === undefined
      ? undefined
      : o.seek instanceof Date
        ? o.seek.getTime()
        : toEpochMs(o.seek);
  const startedAt = new Date();
  const startMs = now();

  // Ordinals (read order) of the records in flight, for the acknowledged prefix.
  const prefix = new AcknowledgedPrefix();
  const unacknowledged = new Map<ReplayRecord, { ordinal: number; position: ReplayPosition }>();
  const file = o.deadLetterPath === undefined ? undefined : new DeadLetterFile(o.deadLetterPath);
  const sink: DeadLetterSink = async (letter) => {
    prefix.end();
    unacknowledged.clear();
    if (file !== undefined) await file.write(letter);
    if (o.onDeadLetter !== undefined) await o.onDeadLetter(letter);
  };
  const producer = new KinesisProducer({
    kinesis: o.kinesis,
    streamName: o.streamName,
    streamArn: o.streamArn,
    concurrency: o.concurrency,
    maxBatchRecords: o.maxBatchRecords,
    maxBatchBytes: o.maxBatchBytes,
    lingerMs: o.lingerMs,
    aggregate: o.aggregate,
    retry: o.retry,
    retryCounters: o.retryCounters,
    onDeadLetter: sink,
    onAcknowledged: (records) => {
      for (const record of records) {
        const at = unacknowledged.get(record);
        if (at === undefined) continue;
        unacknowledged.delete(record);
        prefix.acknowledge(at.ordinal, at.position);
      }
    },
    sleep,
    random,
    signal: o.signal,
  });
  const pacer = new Pacer({
    speedup,
    now,
    sleep,
    signal: o.signal,
    onIdle: () => producer.flush(),
  });

  let read = 0;
  let badLines = 0;
  let abortedWhilePacing = 0;
  let lettersInSink = 0;
  let skippedBeforeSeek = 0;
  let sourcesRead = 0;
  let currentSource: string | null = null;
  let lastEventTime: number | null = null;
  let seeking = seekMs !== undefined || o.startId !== undefined;
  let error: ReplayError | null = null;

  const snapshot = (p: ProducerStats): Omit<ReplayStats, 'eventsPerSecond'> => ({
    read,
    sent: p.sent,
    kinesisRecords: p.kinesisRecords,
    deadLettered: badLines + abortedWhilePacing + p.deadLettered,
    badLines,
    pending: p.pending + lettersInSink,
    skippedBeforeSeek,
    requests: p.requests,
    retries: p.retries,
    retriesByKind: p.retriesByKind,
    failedRequests: p.failedRequests,
    inFlight: p.inFlight,
    bytesSent: p.bytesSent,
    replayLagMs: Math.round(pacer.lagMs),
    lastEventTime: lastEventTime === null ? null : new Date(lastEventTime).toISOString(),
    currentSource,
    acknowledged: prefix.last,
    sourcesRead,
    elapsedMs: Math.round(now() - startMs),
  });

  let lastSent = 0;
  let lastAt = startMs;
  const report = (): void => {
    if (o.onStats === undefined) return;
    const s = snapshot(producer.stats);
    const at = now();
    const eventsPerSecond = at > lastAt ? ((s.sent - lastSent) * 1000) / (at - lastAt) : 0;
    lastSent = s.sent;
    lastAt = at;
    o.onStats({ ...s, eventsPerSecond: Math.round(eventsPerSecond) });
  };
  const timer = o.onStats === undefined ? undefined : setInterval(report, o.statsIntervalMs);
  timer?.unref?.();

  // A line read and handed to the sink counts as dead-lettered only once the sink has
  // acknowledged it; until then (or when the sink fails) it is pending.
  const deadLetterLine = async (letter: DeadLetter): Promise<void> => {
    read += 1;
    lettersInSink += 1;
    await sink(letter);
    lettersInSink -= 1;
    badLines += 1;
  };

  try {
    outer: for await (const source of resolveSources(o.sources, { s3: o.s3 })) {
      currentSource = source.name;
      const lines = readNdjsonLines(source.open(o.signal), {
        source: source.name,
        maxLineBytes: Math.max(o.maxDeadLetterDataBytes, LIMITS.kinesisMaxRecordBytes),
      });
      for await (const line of lines) {
        if (o.signal?.aborted === true) break outer;
        const at = { source: source.name, lineNumber: line.lineNumber };
        if (!line.ok) {
          await deadLetterLine({
            ...at,
            code: 'KSE_REPLAY_RECORD_TOO_LARGE',
            reason: line.error.reason,
            data: null,
            size: null,
          });
          continue;
        }
        const bytes = line.bytes;
        const letter = (code: DeadLetter['code'], reason: string): DeadLetter => ({
          ...at,
          code,
          reason,
          data: bytes,
          size: bytes.byteLength,
        });
        if (bytes.byteLength > LIMITS.kinesisMaxRecordBytes) {
          await deadLetterLine(
            letter(
              'KSE_REPLAY_RECORD_TOO_LARGE',
              `record is ${bytes.byteLength} bytes; a Kinesis record holds at most ${LIMITS.kinesisMaxRecordBytes}`,
            ),
          );
          continue;
        }
        let value: unknown;
        try {
          value = parseJson(bytes, { source: source.name, position: line.lineNumber });
        } catch (cause) {
          if (!isSchemaError(cause)) throw cause;
          await deadLetterLine(letter('KSE_REPLAY_LINE_INVALID', `${cause.code}: ${cause.reason}`));
          continue;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          await deadLetterLine(letter('KSE_REPLAY_LINE_INVALID', 'line is not a JSON object'));
          continue;
        }
        const record = value as JsonObject;
        const eventTime = toEpochMs(record[o.timestampAttribute]);
        if (Number.isNaN(eventTime)) {
          const raw = record[o.timestampAttribute];
          await deadLetterLine(
            letter(
              'KSE_REPLAY_TIMESTAMP_MISSING',
              raw === undefined
                ? `no ${o.timestampAttribute} attribute`
                : `${o.timestampAttribute} is not a date: ${JSON.stringify(raw)}`,
            ),
          );
          continue;
        }
        if (seeking) {
          if (
            (seekMs !== undefined && eventTime < seekMs) ||
            (o.startId !== undefined && !(idOf(record[o.idAttribute]) >= o.startId))
          ) {
            skippedBeforeSeek += 1;
            continue;
          }
          seeking = false;
        }
        let partitionKey: string;
        if (o.partitionKey === 'random') {
          partitionKey = Math.floor(random() * 2 ** 52).toString(36);
        } else {
          const key = record[o.partitionKey];
          partitionKey =
            typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean'
              ? String(key)
              : '';
          if (
            partitionKey.length === 0 ||
            partitionKey.length > LIMITS.kinesisMaxPartitionKeyLength
          ) {
            await deadLetterLine(
              letter(
                'KSE_REPLAY_PARTITION_KEY_MISSING',
                key === undefined
                  ? `no ${o.partitionKey} attribute`
                  : `${o.partitionKey} is not a usable partition key (1–${LIMITS.kinesisMaxPartitionKeyLength} characters)`,
              ),
            );
            continue;
          }
        }
        read += 1;
        lastEventTime = eventTime;
        try {
          await pacer.wait(eventTime);
        } catch (cause) {
          // Aborted while waiting for this record's time: it was read, so account for it.
          lettersInSink += 1;
          await sink({
            ...letter('KSE_REPLAY_ABORTED', `aborted: ${describeError(cause)}`),
            partitionKey,
          });
          lettersInSink -= 1;
          abortedWhilePacing += 1;
          throw cause;
        }
        const replayRecord: ReplayRecord = { data: bytes, partitionKey, ...at };
        const id = idOf(record[o.idAttribute]);
        unacknowledged.set(replayRecord, {
          ordinal: read - 1,
          position: { ...at, id: Number.isFinite(id) ? id : null },
        });
        await producer.put(replayRecord);
      }
      sourcesRead += 1;
    }
    if (o.signal?.aborted === true) {
      error = new ReplayError('KSE_REPLAY_ABORTED', `aborted: ${describeError(o.signal.reason)}`, {
        cause: o.signal.reason,
      });
    }
  } catch (cause) {
    error = isReplayError(cause)
      ? cause
      : o.signal?.aborted === true
        ? new ReplayError('KSE_REPLAY_ABORTED', `aborted: ${describeError(cause)}`, { cause })
        : new ReplayError('KSE_REPLAY_SOURCE_READ_FAILED', describeError(cause), {
            cause,
            source: currentSource ?? undefined,
          });
  } finally {
    await producer.close();
    if (timer !== undefined) clearInterval(timer);
    try {
      await file?.close();
    } catch (cause) {
      error ??= isReplayError(cause) ? cause : null;
    }
  }
  // A dead-letter file that failed is the run's error: it names the file.
  error ??= file?.failure ?? null;
  error ??= producer.fatalError ?? null;

  const final = snapshot(producer.stats);
  const durationMs = now() - startMs;
  const summary: ReplaySummary = {
    ...final,
    eventsPerSecond: durationMs > 0 ? Math.round((final.sent * 1000) / durationMs) : 0,
    ok: error === null && final.deadLettered === 0,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + durationMs).toISOString(),
    durationMs: Math.round(durationMs),
    deadLetterPath: file !== undefined && file.count > 0 ? file.path : null,
    error,
  };
  o.onStats?.({ ...final, eventsPerSecond: summary.eventsPerSecond });
  return summary;
}
