import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  createLambdaContext,
  toKinesisStreamEvent,
  type EventSourceInfo,
  type PolledRecord,
} from '../adapters/lambdaEvent.js';
import { fullJitterDelay, sleep as coreSleep } from '@kse/core';
import { LambdaError, isLambdaError } from '../errors.js';
import { SHARD_END, type CheckpointStore } from './checkpointStore.js';
import type { ResolvedMappingOptions } from './eventSourceMappingOptions.js';
import { Notifier } from './notifier.js';
import { waitUnlessStopped } from './waitUnlessStopped.js';
import type {
  DestinationSender,
  DiscardCondition,
  DiscardedRecord,
} from './onFailureDestination.js';

/** Counters of a mapping; `recordsRead = recordsSucceeded + recordsDeadLettered + in flight`. */
export interface MappingCounters {
  recordsRead: number;
  recordsSucceeded: number;
  recordsDeadLettered: number;
  invocations: number;
  functionErrors: number;
  partialFailures: number;
  retries: number;
  bisections: number;
  checkpoints: number;
  pollErrors: number;
  /** Sweeps of idle shards (the `sweep` option) that succeeded. */
  sweeps: number;
  /** Sweeps that failed (tried again at the next idle poll). */
  sweepErrors: number;
}

/** Live state of one shard. */
export interface ShardStats {
  shardId: string;
  /**
   * `failed`: the worker stopped on an error it could not ride out (GetRecords or a
   * checkpoint write failing past its budget); see {@link ShardStats.error}.
   */
  state: 'running' | 'ended' | 'stopped' | 'lease-lost' | 'failed';
  /** Why the worker failed (state `failed`). */
  error?: string;
  /** Now − arrival of the last record of the latest invocation (Lambda's IteratorAge), ms. */
  iteratorAgeMs: number | undefined;
  /** `MillisBehindLatest` of the latest GetRecords. */
  millisBehindLatest: number | undefined;
  /** Last checkpoint written. */
  checkpoint: string | undefined;
  recordsRead: number;
  /** Records read and not yet processed or discarded. */
  inFlight: number;
}

interface Entry {
  seq: string;
  done: boolean;
}

interface Item {
  record: PolledRecord;
  entry: Entry;
  queuedAt: number;
  invocations: number;
}

interface Lane {
  index: number;
  queue: Item[];
  notifier: Notifier;
}

type Outcome =
  | { kind: 'success' }
  | { kind: 'partial'; index: number; reason: string }
  | { kind: 'error'; reason: string };

/** Where a shard's reading starts. */
export type ShardStart =
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestamp: Date };

// The Lambda invocation payload limit (6 MB); each record costs its base64 data plus the
// envelope (ARNs, ids), kept well clear of it.
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 - 64 * 1024;
const RECORD_ENVELOPE_BYTES = 400;

/** Reads one shard, hands batches to the function in lanes, checkpoints progress. */
export class ShardWorker {
  readonly stats: ShardStats;
  private readonly controller = new AbortController();
  private readonly lanes: Lane[];
  private readonly capacity = new Notifier();
  private readonly entries: Entry[] = [];
  private head = 0;
  private buffered = 0;
  private producerDone = false;
  private latestDone: string | undefined;
  private checkpointChain: Promise<void> = Promise.resolve();
  private checkpointQueued = false;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  constructor(
    readonly shardId: string,
    private readonly start: ShardStart,
    private readonly options: ResolvedMappingOptions,
    private readonly kinesis: KinesisClient,
    private readonly store: CheckpointStore,
    private readonly source: EventSourceInfo,
    private readonly counters: MappingCounters,
    private readonly sendToDestination: DestinationSender | undefined,
    parentSignal: AbortSignal,
  ) {
    this.now = options.now ?? Date.now;
    this.lanes = Array.from({ length: options.parallelizationFactor }, (_, index) => ({
      index,
      queue: [],
      notifier: new Notifier(),
    }));
    this.stats = {
      shardId,
      state: 'running',
      iteratorAgeMs: undefined,
      millisBehindLatest: undefined,
      checkpoint: start.type === 'AFTER_SEQUENCE_NUMBER' ? start.sequenceNumber : undefined,
      recordsRead: 0,
      inFlight: 0,
    };
    if (parentSignal.aborted) this.controller.abort();
    else parentSignal.addEventListener('abort', () => this.controller.abort(), { once: true });
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs until the shard ends (checkpointed `SHARD_END`) or the mapping stops. */
  async run(): Promise<void> {
    const lanes = this.lanes.map((lane) => this.laneLoop(lane));
    let ended = false;
    try {
      ended = await this.poll();
    } catch (error) {
      this.fail(
        new LambdaError(
          'KSE_LAMBDA_AWS_FAILED',
          `polling shard ${this.shardId}: ${describe(error)}`,
          {
            cause: error,
            shardId: this.shardId,
          },
        ),
      );
    } finally {
      this.producerDone = true;
      for (const lane of this.lanes) lane.notifier.notify();
    }
    await Promise.all(lanes);
    await this.checkpointChain;
    if (this.stats.state !== 'running') return;
    if (ended && !this.signal.aborted && this.head === this.entries.length) {
      await this.writeCheckpoint(SHARD_END);
      if (this.stats.state === 'running') this.stats.state = 'ended';
      return;
    }
    this.stats.state = 'stopped';
  }

  private async poll(): Promise<boolean> {
    const { getRecordsLimit, pollIntervalMs, maxBufferedRecordsPerShard } = this.options;
    let lastRead: string | undefined;
    let iterator = await this.getIterator(this.start);
    let failures = 0;
    let failingSince = 0;
    while (!this.signal.aborted && iterator !== undefined) {
      if (this.buffered >= maxBufferedRecordsPerShard) {
        await this.capacity.wait(undefined, this.signal);
        continue;
      }
      let response;
      const calledAt = this.now();
      try {
        response = await this.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: getRecordsLimit }),
          { abortSignal: this.signal },
        );
        failures = 0;
      } catch (error) {
        if (this.signal.aborted) break;
        if (error instanceof ExpiredIteratorException) {
          iterator = await this.getIterator(
            lastRead ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: lastRead } : this.start,
          );
          continue;
        }
        if (failures === 0) failingSince = this.now();
        failures += 1;
        this.counters.pollErrors += 1;
        if (this.pollBudgetSpent('GetRecords', failures, failingSince, error)) break;
        this.options.logger?.warn('GetRecords failed; retrying', {
          shardId: this.shardId,
          attempt: failures,
          error: (error as Error).message,
        });
        await this.backoff(failures);
        continue;
      }
      const records = response.Records ?? [];
      for (const raw of records) {
        const sequenceNumber = raw.SequenceNumber ?? '';
        const record: PolledRecord = {
          sequenceNumber,
          partitionKey: raw.PartitionKey ?? '',
          data: Buffer.from(raw.Data ?? new Uint8Array()).toString('base64'),
          arrivalMs: raw.ApproximateArrivalTimestamp?.getTime() ?? this.now(),
        };
        const entry: Entry = { seq: sequenceNumber, done: false };
        this.entries.push(entry);
        const lane = this.lanes[laneOf(record.partitionKey, this.lanes.length)]!;
        lane.queue.push({ record, entry, queuedAt: this.now(), invocations: 0 });
        lastRead = sequenceNumber;
      }
      this.buffered += records.length;
      this.stats.recordsRead += records.length;
      this.stats.inFlight = this.entries.length - this.head;
      this.counters.recordsRead += records.length;
      this.stats.millisBehindLatest = response.MillisBehindLatest;
      if (records.length > 0) for (const lane of this.lanes) lane.notifier.notify();
      if (!response.NextShardIterator) return true;
      if (records.length === 0 && !((response.MillisBehindLatest ?? 0) > 0)) {
        await this.sweepIfIdle(calledAt);
      }
      iterator = response.NextShardIterator;
      // Calls start `pollIntervalMs` apart (the call's own time counts), as AWS's limit of
      // five GetRecords calls per shard and second is a rate of call starts.
      if (records.length < getRecordsLimit) {
        await this.sleep(Math.max(0, pollIntervalMs - (this.now() - calledAt)));
      }
    }
    return false;
  }

  /**
   * True (and the worker failed) when reading the shard has kept failing for longer than
   * `pollRetryBudgetMs`: the stream is gone or unreachable, and retrying on would only
   * hide it.
   */
  private pollBudgetSpent(
    operation: string,
    attempts: number,
    since: number,
    error: unknown,
  ): boolean {
    const failingMs = this.now() - since;
    if (attempts < 2 || failingMs < this.options.pollRetryBudgetMs) return false;
    this.fail(
      new LambdaError(
        'KSE_LAMBDA_AWS_FAILED',
        `${operation} on shard ${this.shardId} kept failing for ${Math.round(failingMs / 1000)} s (${attempts} tries): ${describe(error)}`,
        { cause: error, shardId: this.shardId },
      ),
    );
    return true;
  }

  /**
   * Stops this worker on an error it cannot ride out, visibly: state `failed`, the error
   * logged and handed to `onShardError`. Records not checkpointed are read again by the
   * next worker of the shard.
   */
  private fail(error: LambdaError): void {
    if (this.stats.state !== 'running') return;
    this.stats.state = 'failed';
    this.stats.error = error.message;
    this.options.logger?.error('shard worker failed; stopping this shard', {
      shardId: this.shardId,
      error: error.message,
    });
    this.controller.abort();
    this.options.onShardError?.(error);
  }

  /**
   * Sweeps the shard (the `sweep` option) when every record read so far has been
   * processed: nothing that arrived before `calledAt` (the start of the GetRecords call that
   * found nothing new) is still to come.
   */
  private async sweepIfIdle(calledAt: number): Promise<void> {
    const sweep = this.options.sweep;
    if (sweep === undefined || this.head !== this.entries.length || this.signal.aborted) return;
    if (calledAt - this.lastSweepAt < this.options.sweepIntervalMs) return;
    this.lastSweepAt = calledAt;
    try {
      await sweep({ shardId: this.shardId, streamArn: this.source.streamArn, now: calledAt });
      this.counters.sweeps += 1;
    } catch (error) {
      this.counters.sweepErrors += 1;
      this.options.logger?.warn('sweep of an idle shard failed; will try again', {
        shardId: this.shardId,
        error: describe(error),
      });
    }
  }

  private async getIterator(start: ShardStart): Promise<string | undefined> {
    const input: GetShardIteratorCommandInput = {
      StreamName: this.options.streamName,
      ShardId: this.shardId,
      ShardIteratorType: start.type,
    };
    if (start.type === 'AFTER_SEQUENCE_NUMBER') input.StartingSequenceNumber = start.sequenceNumber;
    if (start.type === 'AT_TIMESTAMP') input.Timestamp = start.timestamp;
    const since = this.now();
    for (let attempt = 1; !this.signal.aborted; attempt += 1) {
      try {
        const response = await this.kinesis.send(new GetShardIteratorCommand(input), {
          abortSignal: this.signal,
        });
        return response.ShardIterator;
      } catch (error) {
        if (this.signal.aborted) break;
        this.counters.pollErrors += 1;
        if (this.pollBudgetSpent('GetShardIterator', attempt, since, error)) break;
        this.options.logger?.warn('GetShardIterator failed; retrying', {
          shardId: this.shardId,
          error: (error as Error).message,
        });
        await this.backoff(attempt);
      }
    }
    return undefined;
  }

  private async laneLoop(lane: Lane): Promise<void> {
    const { batchSize, maximumBatchingWindowInSeconds } = this.options;
    const windowMs = maximumBatchingWindowInSeconds * 1000;
    while (!this.signal.aborted) {
      const first = lane.queue[0];
      if (first === undefined) {
        if (this.producerDone) return;
        await lane.notifier.wait(undefined, this.signal);
        continue;
      }
      if (windowMs > 0 && lane.queue.length < batchSize && !this.producerDone) {
        const remaining = first.queuedAt + windowMs - this.now();
        if (remaining > 0) {
          await lane.notifier.wait(remaining, this.signal);
          continue;
        }
      }
      const batch = takeBatch(lane.queue, batchSize);
      this.buffered -= batch.length;
      this.capacity.notify();
      await this.processBatch(lane.index, batch);
    }
  }

  /**
   * Invokes the function with a batch until every record is processed or discarded:
   * partial failures re-drive from the lowest failed record, errors retry (with backoff)
   * or bisect, and records past the retry budget or the age limit go to the destination.
   */
  private async processBatch(lane: number, batch: Item[]): Promise<void> {
    const { maximumRetryAttempts, maximumRecordAgeInSeconds, bisectBatchOnFunctionError } =
      this.options;
    const work: { items: Item[]; retries: number }[] = [{ items: batch, retries: 0 }];
    while (work.length > 0) {
      if (this.signal.aborted) return;
      const current = work[0]!;
      if (maximumRecordAgeInSeconds >= 0) {
        const cutoff = this.now() - maximumRecordAgeInSeconds * 1000;
        const expired = current.items.filter((item) => item.record.arrivalMs < cutoff);
        if (expired.length > 0) {
          const reason = `record older than maximumRecordAgeInSeconds (${maximumRecordAgeInSeconds})`;
          if (!(await this.discard(expired, 'RecordAgeExceeded', reason))) return;
          current.items = current.items.filter((item) => item.record.arrivalMs >= cutoff);
          if (current.items.length === 0) {
            work.shift();
            continue;
          }
        }
      }
      const outcome = await this.invoke(lane, current.items);
      if (outcome.kind === 'success') {
        this.counters.recordsSucceeded += current.items.length;
        await this.complete(current.items);
        work.shift();
        continue;
      }
      let remaining = current.items;
      if (outcome.kind === 'partial') {
        const succeeded = current.items.slice(0, outcome.index);
        this.counters.recordsSucceeded += succeeded.length;
        await this.complete(succeeded);
        remaining = current.items.slice(outcome.index);
      }
      if (bisectBatchOnFunctionError && remaining.length > 1) {
        // Splitting does not use up retries: a poison record is isolated first, then retried.
        this.counters.bisections += 1;
        const middle = Math.ceil(remaining.length / 2);
        work.splice(
          0,
          1,
          { items: remaining.slice(0, middle), retries: 0 },
          { items: remaining.slice(middle), retries: 0 },
        );
        continue;
      }
      current.retries += 1;
      current.items = remaining;
      if (maximumRetryAttempts >= 0 && current.retries > maximumRetryAttempts) {
        if (!(await this.discard(remaining, 'RetryAttemptsExhausted', outcome.reason))) return;
        work.shift();
        continue;
      }
      this.counters.retries += 1;
      await this.backoff(current.retries);
    }
  }

  private async invoke(lane: number, items: Item[]): Promise<Outcome> {
    const records = items.map((item) => item.record);
    const event = toKinesisStreamEvent(records, this.source);
    const context = createLambdaContext({
      functionName: this.options.functionName,
      region: this.source.region,
      accountId: this.options.accountId,
      timeoutSeconds: this.options.timeoutSeconds,
      now: this.now,
    });
    for (const item of items) item.invocations += 1;
    const iteratorAgeMs = Math.max(0, this.now() - records[records.length - 1]!.arrivalMs);
    this.stats.iteratorAgeMs = iteratorAgeMs;
    const started = performance.now();
    let outcome: Outcome;
    try {
      const response = await this.options.handler(event, context);
      outcome = this.interpret(response, records);
    } catch (error) {
      outcome = { kind: 'error', reason: describe(error) };
    }
    const durationMs = performance.now() - started;
    this.counters.invocations += 1;
    if (outcome.kind === 'error') this.counters.functionErrors += 1;
    if (outcome.kind === 'partial') this.counters.partialFailures += 1;
    this.options.onBatch?.({
      shardId: this.shardId,
      lane,
      size: items.length,
      firstSequenceNumber: records[0]!.sequenceNumber,
      durationMs,
      iteratorAgeMs,
      outcome: outcome.kind,
      ...(outcome.kind === 'success' ? {} : { reason: outcome.reason }),
    });
    return outcome;
  }

  /** Applies Lambda's rules for a response when ReportBatchItemFailures is on. */
  private interpret(response: unknown, records: PolledRecord[]): Outcome {
    if (!this.options.functionResponseTypes.includes('ReportBatchItemFailures')) {
      return { kind: 'success' };
    }
    const failures = (response as { batchItemFailures?: unknown } | null | undefined)
      ?.batchItemFailures;
    if (failures === undefined || failures === null) return { kind: 'success' };
    if (!Array.isArray(failures)) {
      return { kind: 'error', reason: 'batchItemFailures is not a list' };
    }
    if (failures.length === 0) return { kind: 'success' };
    let lowest = Number.POSITIVE_INFINITY;
    for (const failure of failures) {
      const id: unknown = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index =
        typeof id === 'string' && id !== ''
          ? records.findIndex((record) => record.sequenceNumber === id)
          : -1;
      if (index < 0) {
        // Lambda fails the whole batch on an empty, missing or unknown itemIdentifier.
        return { kind: 'error', reason: `invalid itemIdentifier ${JSON.stringify(id)}` };
      }
      lowest = Math.min(lowest, index);
    }
    return {
      kind: 'partial',
      index: lowest,
      reason: `batch item failure reported for ${records[lowest]!.sequenceNumber}`,
    };
  }

  /** Sends records to the destination (retrying until it works or the mapping stops). */
  private async discard(
    items: Item[],
    condition: DiscardCondition,
    reason: string,
  ): Promise<boolean> {
    const timestamp = new Date(this.now()).toISOString();
    const discarded: DiscardedRecord[] = items.map((item) => ({
      version: '1.0',
      timestamp,
      condition,
      reason,
      approximateInvokeCount: item.invocations,
      functionName: this.options.functionName,
      streamArn: this.source.streamArn,
      shardId: this.shardId,
      sequenceNumber: item.record.sequenceNumber,
      partitionKey: item.record.partitionKey,
      approximateArrivalTimestamp: new Date(item.record.arrivalMs).toISOString(),
      data: item.record.data,
    }));
    if (this.sendToDestination) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.sendToDestination(discarded);
          break;
        } catch (error) {
          this.options.logger?.error('on-failure destination failed; retrying', {
            shardId: this.shardId,
            error: describe(error),
          });
          await this.backoff(attempt);
          if (this.signal.aborted) return false;
        }
      }
    } else {
      // No destination: like Lambda, the records are dropped — but never silently.
      this.options.logger?.error('records discarded with no on-failure destination', {
        shardId: this.shardId,
        records: discarded,
      });
    }
    this.counters.recordsDeadLettered += items.length;
    this.options.logger?.warn('records discarded', {
      shardId: this.shardId,
      condition,
      reason,
      count: items.length,
      firstSequenceNumber: items[0]?.record.sequenceNumber,
    });
    await this.complete(items);
    return true;
  }

  private async complete(items: Item[]): Promise<void> {
    if (items.length === 0) return;
    for (const item of items) item.entry.done = true;
    let moved = false;
    while (this.head < this.entries.length && this.entries[this.head]!.done) {
      this.latestDone = this.entries[this.head]!.seq;
      this.head += 1;
      moved = true;
    }
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    this.stats.inFlight = this.entries.length - this.head;
    if (!moved || this.checkpointQueued) return;
    // The lane goes on while the checkpoint is written (as in Lambda, checkpointing is not
    // part of an invocation). One write at a time, each of the latest completed position:
    // batches that complete during a write share the next one. `run` waits for the last.
    this.checkpointQueued = true;
    this.checkpointChain = this.checkpointChain.then(async () => {
      this.checkpointQueued = false;
      const target = this.latestDone;
      if (target !== undefined && target !== this.stats.checkpoint) {
        await this.writeCheckpoint(target);
      }
    });
  }

  private async writeCheckpoint(checkpoint: string): Promise<void> {
    const attempts = this.options.checkpointRetryAttempts + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      if (this.stats.state === 'lease-lost' || this.stats.state === 'failed') return;
      try {
        await this.store.checkpoint(this.shardId, checkpoint);
        this.stats.checkpoint = checkpoint;
        this.counters.checkpoints += 1;
        return;
      } catch (error) {
        if (isLambdaError(error) && error.code === 'KSE_LAMBDA_LEASE_LOST') {
          this.stats.state = 'lease-lost';
          this.options.logger?.error('lease lost; stopping this shard', { shardId: this.shardId });
          this.controller.abort();
          return;
        }
        lastError = error;
        if (attempt === attempts) break;
        this.options.logger?.warn('checkpoint failed; retrying', {
          shardId: this.shardId,
          attempt,
          error: describe(error),
        });
        await this.backoff(attempt);
      }
    }
    // The records stay processed but not checkpointed: stopping here (instead of reading
    // on) keeps the gap to what the next worker reads again at most this far.
    this.fail(
      new LambdaError(
        'KSE_LAMBDA_AWS_FAILED',
        `checkpoint of shard ${this.shardId} at ${checkpoint} failed ${attempts} times: ${describe(lastError)}`,
        { cause: lastError, shardId: this.shardId },
      ),
    );
  }

  private backoff(attempt: number): Promise<void> {
    const { baseMs, capMs } = this.options.retryBackoff;
    return this.sleep(
      fullJitterDelay(attempt, { baseDelayMs: baseMs, maxDelayMs: capMs }, this.options.random),
    );
  }

  private sleep(ms: number): Promise<void> {
    return waitUnlessStopped(this.options.sleep ?? coreSleep, ms, this.signal);
  }

  /** Stops reading and invoking; the in-flight invocation finishes and is checkpointed. */
  abort(): void {
    this.controller.abort();
  }

  /** Another worker took the lease: stops at once (its checkpoints would be refused). */
  leaseLost(): void {
    if (this.stats.state === 'running') this.stats.state = 'lease-lost';
    this.controller.abort();
  }
}

function takeBatch(queue: Item[], batchSize: number): Item[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < batchSize) {
    const size = queue[count]!.record.data.length + RECORD_ENVELOPE_BYTES;
    if (count > 0 && bytes + size > MAX_PAYLOAD_BYTES) break;
    bytes += size;
    count += 1;
  }
  return queue.splice(0, count);
}

/** The lane of a partition key: FNV-1a, so that one key always lands in one lane. */
export function laneOf(partitionKey: string, lanes: number): number {
  if (lanes <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i += 1) {
    hash ^= partitionKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
