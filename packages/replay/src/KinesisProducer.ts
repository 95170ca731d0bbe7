import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { RetryCounters, describeError, sleep as realSleep, type Sleep } from '@kse/core';
import {
  KPL_OVERHEAD_BYTES,
  LIMITS,
  aggregate as packKpl,
  kplKeySize,
  kplUserRecordSize,
} from '@kse/schemas';
import { ReplayError, isReplayError, type ReplayErrorCode } from './errors.js';
import { DEFAULT_PUT_RECORDS_OPTIONS, putRecordsBatch } from './putRecordsBatch.js';
import type { DeadLetterSink, ReplayRecord } from './types.js';

/** How entries that Kinesis did not accept are re-sent (whole calls are the SDK's). */
export interface RetryOptions {
  /** Tries per record, the first send included. Default 8. */
  maxAttempts: number;
  /** Time budget in ms for the re-sends of one batch. Default 30,000. */
  budgetMs: number;
  /** Backoff base: the cap of the first retry's delay. Default 100 ms. */
  baseDelayMs: number;
  /** Largest delay between two tries. Default 5,000 ms. */
  maxDelayMs: number;
}

/** Defaults of {@link RetryOptions}: those of {@link putRecordsBatch}. */
export const DEFAULT_RETRY_OPTIONS = {
  maxAttempts: DEFAULT_PUT_RECORDS_OPTIONS.maxAttempts,
  budgetMs: DEFAULT_PUT_RECORDS_OPTIONS.budgetMs,
  baseDelayMs: DEFAULT_PUT_RECORDS_OPTIONS.baseDelayMs,
  maxDelayMs: DEFAULT_PUT_RECORDS_OPTIONS.maxDelayMs,
} satisfies RetryOptions;

/** Options of {@link KinesisProducer}. */
export interface ProducerOptions {
  /**
   * Kinesis client, with any `maxAttempts`: its SDK retries whole calls (throttling, 5xx,
   * timeouts), this producer re-sends only entries that came back with an `ErrorCode`.
   */
  kinesis: KinesisClient;
  /** Target stream by name… */
  streamName?: string;
  /** …or by ARN. */
  streamArn?: string;
  /** Concurrent PutRecords requests (one per lane). Default 4. */
  concurrency?: number;
  /** Records per request, at most 500. Default 500. */
  maxBatchRecords?: number;
  /** Bytes per request (data + partition keys), at most 5 MiB. Default 5 MiB. */
  maxBatchBytes?: number;
  /** A partial batch is sent after waiting this long for more records. Default 50 ms. */
  lingerMs?: number;
  /**
   * Pack user records into KPL-aggregated Kinesis records (the format the KPL writes and
   * Lambda and the KCL unpack). Only records with the same partition key share an
   * aggregate, sent under that key: each lands on the shard it would have landed on alone,
   * across reshards too. Default false.
   */
  aggregate?: boolean;
  /** Retry budget and backoff of entries Kinesis did not accept. */
  retry?: Partial<RetryOptions>;
  /** Counts entries re-sent, by kind (`kinesis.<ErrorCode>`); default a new one (`stats.retriesByKind`). */
  retryCounters?: RetryCounters;
  /** Where records that cannot be sent go. */
  onDeadLetter: DeadLetterSink;
  /** Called with the records of each Kinesis record once Kinesis has acknowledged it. */
  onAcknowledged?: (records: readonly ReplayRecord[]) => void;
  sleep?: Sleep;
  /** Random source of the backoff jitter, in [0, 1). */
  random?: () => number;
  signal?: AbortSignal;
}

/** Defaults of {@link ProducerOptions}. */
export const DEFAULT_PRODUCER_OPTIONS = {
  concurrency: 4,
  maxBatchRecords: LIMITS.kinesisPutRecordsMaxEntries,
  maxBatchBytes: LIMITS.kinesisPutRecordsMaxBytes,
  lingerMs: 50,
  aggregate: false,
} satisfies Partial<ProducerOptions>;

/** Counters of a {@link KinesisProducer}. */
export interface ProducerStats {
  /** Records Kinesis accepted. */
  sent: number;
  /** Kinesis records accepted: one per record, or one per aggregate with `aggregate`. */
  kinesisRecords: number;
  /** Bytes of data Kinesis accepted (aggregates as packed). */
  bytesSent: number;
  /** Records given up on (retries exhausted, rejected, aborted). */
  deadLettered: number;
  /** PutRecords requests made, retries included. */
  requests: number;
  /** Kinesis records re-sent after a per-entry failure (one per entry per retry). */
  retries: number;
  /** Re-sends by kind (`kinesis.<ErrorCode>`), from the retry counters. */
  retriesByKind: Record<string, number>;
  /** Requests that failed whole after the SDK's retries (throttling, 5xx, network…). */
  failedRequests: number;
  /** Requests on the wire now. */
  inFlight: number;
  /** Records accepted by `put` and not yet sent or dead-lettered. */
  pending: number;
}

/**
 * One Kinesis record on its way: a record as it is, or (with `aggregate`) records of one
 * partition key that will go out packed as one KPL aggregate. A lone record is sent
 * plain, as the KPL does.
 */
interface Entry {
  records: ReplayRecord[];
  partitionKey: string;
  /** The aggregate's length if the records were packed (even a lone one). */
  packedBytes: number;
  /** What the entry counts against the record and request limits: data plus key. */
  size: number;
  /** The bytes sent, made once at the first try. */
  data: Uint8Array | undefined;
}

interface Lane {
  entries: Entry[];
  bytes: number;
  /** With `aggregate`: the entry of this batch that still takes records, by partition key. */
  open: Map<string, Entry>;
  running: Promise<void> | undefined;
  timer: NodeJS.Timeout | undefined;
}

interface Pending {
  entry: Entry;
  attempts: string[];
}

/** How many records `pending` holds (an aggregate holds several). */

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/** FNV-1a: a stable, cheap string hash to pick a lane per partition key. */
function laneHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A Kinesis PutRecords producer: batches by count (≤ 500) and bytes (≤ 5 MiB) or time
 * (`lingerMs`), keeps at most `concurrency` requests in flight, and makes `put` wait when
 * they are all busy (back-pressure). Records are spread over `concurrency` lanes by
 * partition key; a lane sends one request at a time, so records of one key reach Kinesis
 * in `put` order — unless a record is retried after a partial failure, which can put it
 * behind a later record of its key (as with the KPL).
 *
 * With `aggregate`, records of one partition key that meet in a lane's batch are packed
 * into KPL-aggregated Kinesis records of at most 1 MiB (data plus key), sent under that key;
 * a request then carries up to 500 such records. Counters and dead letters stay per
 * record: an aggregate that fails is retried whole, and dead-lettered record by record.
 *
 * It is the one retry owner of the call path: a whole-request error that is retryable
 * (throttling, 5xx, network) re-sends the request, a partial failure re-sends only the
 * failed entries, both with capped full-jitter exponential backoff, until each record
 * has had `retry.maxAttempts` tries; then the record is dead-lettered with every
 * attempt's error. A non-retryable request error (missing stream, access denied) is
 * fatal: the batch is dead-lettered, later `put`s throw it, and unsent records are
 * dead-lettered as `KSE_REPLAY_ABORTED` by {@link KinesisProducer.close}. On `signal` abort,
 * requests on the wire finish (their outcome stays known); nothing new is sent, and what
 * is left is dead-lettered as `KSE_REPLAY_ABORTED`.
 *
 * @example
 * ```ts
 * const producer = new KinesisProducer({ kinesis, streamName: 'orders', onDeadLetter: (l) => log(l) });
 * for (const line of lines) await producer.put({ data: line, partitionKey: id(line), source: 'f', lineNumber: n });
 * await producer.close();
 * console.log(producer.stats);
 * ```
 */
export class KinesisProducer {
  readonly #kinesis: KinesisClient;
  readonly #streamName: string | undefined;
  readonly #streamArn: string | undefined;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #lingerMs: number;
  readonly #aggregate: boolean;
  readonly #retry: RetryOptions;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #signal: AbortSignal | undefined;
  readonly #onDeadLetter: DeadLetterSink;
  readonly #onAcknowledged: ((records: readonly ReplayRecord[]) => void) | undefined;
  readonly #lanes: Lane[];
  #fatal: ReplayError | undefined;
  readonly #retryCounters: RetryCounters;
  readonly #stats: Omit<ProducerStats, 'retriesByKind'> = {
    sent: 0,
    kinesisRecords: 0,
    bytesSent: 0,
    deadLettered: 0,
    requests: 0,
    retries: 0,
    failedRequests: 0,
    inFlight: 0,
    pending: 0,
  };

  constructor(options: ProducerOptions) {
    const merged = { ...DEFAULT_PRODUCER_OPTIONS, ...stripUndefined(options) };
    if (merged.streamName === undefined && merged.streamArn === undefined) {
      throw new ReplayError('KSE_REPLAY_OPTIONS_INVALID', 'streamName or streamArn is required', {
        option: 'streamName',
      });
    }
    checkInt('concurrency', merged.concurrency, 1, 64);
    checkInt('maxBatchRecords', merged.maxBatchRecords, 1, LIMITS.kinesisPutRecordsMaxEntries);
    checkInt('maxBatchBytes', merged.maxBatchBytes, 1, LIMITS.kinesisPutRecordsMaxBytes);
    this.#retry = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(options.retry ?? {}) };
    checkInt('retry.maxAttempts', this.#retry.maxAttempts, 1, 100);
    checkMs('retry.baseDelayMs', this.#retry.baseDelayMs);
    checkMs('retry.maxDelayMs', this.#retry.maxDelayMs);
    checkMs('retry.budgetMs', this.#retry.budgetMs);
    this.#retryCounters = options.retryCounters ?? new RetryCounters();
    this.#kinesis = merged.kinesis;
    this.#streamName = merged.streamName;
    this.#streamArn = merged.streamArn;
    this.#maxRecords = merged.maxBatchRecords;
    this.#maxBytes = merged.maxBatchBytes;
    this.#lingerMs = merged.lingerMs;
    this.#aggregate = merged.aggregate;
    this.#sleep = merged.sleep ?? realSleep;
    this.#random = merged.random ?? Math.random;
    this.#signal = merged.signal;
    this.#onDeadLetter = merged.onDeadLetter;
    this.#onAcknowledged = merged.onAcknowledged;
    this.#lanes = Array.from({ length: merged.concurrency }, () => ({
      entries: [],
      bytes: 0,
      open: new Map<string, Entry>(),
      running: undefined,
      timer: undefined,
    }));
  }

  /** A snapshot of the counters. */
  get stats(): ProducerStats {
    return { ...this.#stats, retriesByKind: this.#retryCounters.byKind };
  }

  /** The fatal error that stopped the producer, if any. */
  get fatalError(): ReplayError | undefined {
    return this.#fatal;
  }

  /**
   * Adds a record to its lane's batch. Resolves once the record is accepted (not sent);
   * waits while its lane's batch is full and the lane's request is in flight.
   * Throws the fatal error once the producer has one (the record is dead-lettered first).
   */
  async put(record: ReplayRecord): Promise<void> {
    this.#stats.pending += 1;
    if (this.#fatal !== undefined) {
      await this.#abandon(
        [{ entry: entryOf(record), attempts: [] }],
        'KSE_REPLAY_ABORTED',
        this.#fatal.message,
      );
      throw this.#fatal;
    }
    const lane = this.#lanes[laneHash(record.partitionKey) % this.#lanes.length]!;
    if (!(this.#aggregate && this.#append(lane, record))) {
      const entry = entryOf(record);
      if (
        lane.entries.length > 0 &&
        (lane.entries.length >= this.#maxRecords || lane.bytes + entry.size > this.#maxBytes)
      ) {
        await this.#dispatch(lane);
      }
      lane.entries.push(entry);
      lane.bytes += entry.size;
      if (this.#aggregate) lane.open.set(record.partitionKey, entry);
    }
    if (lane.entries.length >= this.#maxRecords) {
      await this.#dispatch(lane);
    } else if (lane.timer === undefined && this.#lingerMs >= 0) {
      lane.timer = setTimeout(() => {
        lane.timer = undefined;
        this.#dispatch(lane).catch(() => undefined);
      }, this.#lingerMs);
      lane.timer.unref?.();
    }
  }

  /**
   * Adds `record` to the open aggregate of its partition key in `lane`, when there is one
   * and the aggregate stays within the record limit and the batch within the request
   * limit. Returns false when it did not: the record starts an entry of its own.
   */
  #append(lane: Lane, record: ReplayRecord): boolean {
    const open = lane.open.get(record.partitionKey);
    if (open === undefined) return false;
    const packedBytes = open.packedBytes + kplUserRecordSize(record.data.byteLength);
    const size = packedBytes + utf8Length(record.partitionKey);
    if (size > LIMITS.kinesisMaxRecordBytes || lane.bytes - open.size + size > this.#maxBytes) {
      lane.open.delete(record.partitionKey);
      return false;
    }
    open.records.push(record);
    open.packedBytes = packedBytes;
    lane.bytes += size - open.size;
    open.size = size;
    return true;
  }

  /** Sends every partial batch now (waiting for lane slots), without waiting for replies. */
  async flush(): Promise<void> {
    await Promise.all(this.#lanes.map((lane) => this.#dispatch(lane)));
  }

  /**
   * Sends what is left and waits for every request, retries included. Never throws for
   * failed records: they are dead-lettered; read {@link KinesisProducer.fatalError}.
   */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.#lanes.map((lane) => lane.running));
  }

  async #dispatch(lane: Lane): Promise<void> {
    while (lane.running !== undefined) await lane.running;
    if (lane.timer !== undefined) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    if (lane.entries.length === 0) return;
    const batch = lane.entries;
    lane.entries = [];
    lane.bytes = 0;
    lane.open.clear();
    const running: Promise<void> = this.#sendWithRetry(batch)
      .catch(async (error: unknown) => {
        // Only a dead-letter sink failure lands here: nothing else is left to do with them.
        // A sink that says why (a dead-letter file naming itself) is the fatal error as is.
        this.#fail(
          isReplayError(error)
            ? error
            : new ReplayError(
                'KSE_REPLAY_ABORTED',
                `dead-letter sink failed: ${describeError(error)}`,
                {
                  cause: error,
                },
              ),
        );
      })
      .finally(() => {
        if (lane.running === running) lane.running = undefined;
      });
    lane.running = running;
  }

  #fail(error: ReplayError): void {
    if (this.#fatal === undefined) this.#fatal = error;
  }

  async #abandon(entries: Pending[], code: ReplayErrorCode, reason: string): Promise<void> {
    for (const { entry, attempts } of entries) {
      for (const record of entry.records) {
        // Counted once the sink has acknowledged it: a sink that fails leaves it pending.
        await this.#onDeadLetter({
          source: record.source,
          lineNumber: record.lineNumber,
          code,
          reason,
          attempts: attempts.length > 0 ? attempts : undefined,
          partitionKey: record.partitionKey,
          data: record.data,
          size: record.data.byteLength,
        });
        this.#stats.pending -= 1;
        this.#stats.deadLettered += 1;
      }
    }
  }

  /**
   * Sends one lane's batch through {@link putRecordsBatch} (the one PutRecords loop of kse):
   * entries that came back with a retryable `ErrorCode` are re-sent with backoff, whole-call
   * failures are the SDK's to retry; what is still not acknowledged is dead-lettered.
   */
  async #sendWithRetry(batch: Entry[]): Promise<void> {
    if (this.#fatal !== undefined) {
      await this.#abandon(toPending(batch), 'KSE_REPLAY_ABORTED', this.#fatal.message);
      return;
    }
    if (this.#signal?.aborted === true) {
      // Not sent: safe to dead-letter.
      await this.#abandon(
        toPending(batch),
        'KSE_REPLAY_ABORTED',
        `aborted: ${describeError(this.#signal.reason)}`,
      );
      return;
    }
    this.#stats.inFlight += 1;
    let outcome;
    try {
      outcome = await putRecordsBatch(
        this.#kinesis,
        batch.map((entry) => ({ partitionKey: entry.partitionKey, data: dataOf(entry), entry })),
        {
          streamName: this.#streamName,
          streamArn: this.#streamArn,
          maxAttempts: this.#retry.maxAttempts,
          budgetMs: this.#retry.budgetMs,
          baseDelayMs: this.#retry.baseDelayMs,
          maxDelayMs: this.#retry.maxDelayMs,
          sleep: this.#sleep,
          random: this.#random,
          retryCounters: this.#retryCounters,
          onAccepted: ({ entry }) => {
            this.#stats.sent += entry.records.length;
            this.#stats.pending -= entry.records.length;
            this.#stats.kinesisRecords += 1;
            this.#stats.bytesSent += entry.data!.byteLength;
            this.#onAcknowledged?.(entry.records);
          },
        },
      );
    } finally {
      this.#stats.inFlight -= 1;
    }
    this.#stats.requests += outcome.calls;
    this.#stats.retries += outcome.retries;
    if (outcome.error !== undefined) this.#stats.failedRequests += 1;
    for (const failure of outcome.failed) {
      const pending = [{ entry: failure.entry.entry, attempts: failure.attempts }];
      const reason = `${failure.errorCode}: ${failure.errorMessage}`;
      if (failure.errorCode === 'Aborted') {
        await this.#abandon(pending, 'KSE_REPLAY_ABORTED', reason);
      } else if (!failure.retryable) {
        if (outcome.error !== undefined) {
          this.#fail(
            new ReplayError('KSE_REPLAY_PUT_REJECTED', describeError(outcome.error), {
              cause: outcome.error,
            }),
          );
        }
        await this.#abandon(pending, 'KSE_REPLAY_PUT_REJECTED', reason);
      } else {
        await this.#abandon(pending, 'KSE_REPLAY_RETRIES_EXHAUSTED', reason);
      }
    }
  }
}

const toPending = (batch: Entry[]): Pending[] => batch.map((entry) => ({ entry, attempts: [] }));

/** A record as the entry of its own (a plain Kinesis record until others join it). */
function entryOf(record: ReplayRecord): Entry {
  return {
    records: [record],
    partitionKey: record.partitionKey,
    packedBytes:
      KPL_OVERHEAD_BYTES +
      kplKeySize(record.partitionKey) +
      kplUserRecordSize(record.data.byteLength),
    size: record.data.byteLength + utf8Length(record.partitionKey),
    data: undefined,
  };
}

/** The bytes an entry sends: its record as is, or its records packed (once). */
function dataOf(entry: Entry): Uint8Array {
  entry.data ??=
    entry.records.length === 1
      ? entry.records[0]!.data
      : packKpl(
          entry.records.map((record) => ({ partitionKey: record.partitionKey, data: record.data })),
        );
  return entry.data;
}

function checkInt(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ReplayError(
      'KSE_REPLAY_OPTIONS_INVALID',
      `${option} must be an integer from ${min} to ${max}; got ${value}`,
      { option },
    );
  }
}

function checkMs(option: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new ReplayError(
      'KSE_REPLAY_OPTIONS_INVALID',
      `${option} must be a finite number of ms ≥ 0; got ${value}`,
      { option },
    );
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
