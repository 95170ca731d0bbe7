import type { EnrichedOrderItem } from '@kse/schemas';
import { invalidOption, type DeadLetter } from './errors.js';
import { IntervalJoin, type IntervalJoinOptions } from './IntervalJoin.js';
import type { JoinBatch } from './joinBatch.js';
import { createPreprocessor, type PreprocessOptions } from './preprocess.js';
import type { RawInput, TimedRecord } from './types.js';

/**
 * Options of {@link runEnrichment}.
 *
 * @example
 * ```ts
 * runEnrichment(inputs, { join: { windowMs: 30_000, products }, batchSize: 1_000, flushIntervalMs: 500 });
 * ```
 */
export interface RunEnrichmentOptions {
  /** A join to use, or options for a new one (in-memory state by default). */
  join?: IntervalJoin | IntervalJoinOptions;
  /** Options of the preprocess step, for raw inputs. */
  preprocess?: PreprocessOptions;
  /** Records per join batch. Default 500. */
  batchSize?: number;
  /** A partial batch is processed after this many ms without a full one. Default 1,000. */
  flushIntervalMs?: number;
  /**
   * Sweep the join (`IntervalJoin.sweep(clock())`) whenever the source is idle for
   * `flushIntervalMs`, so unmatched records are dead-lettered on a quiet stream. Only for
   * live sources whose arrival times follow the wall clock (with event time, the join time
   * then moves on at the wall clock's pace). Default false.
   */
  idleExpiry?: boolean;
  /** Expire all state when the source ends (unmatched items dead-lettered). Default true. */
  flushAtEnd?: boolean;
  /** Wall clock in ms, for idle expiry. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Defaults of {@link RunEnrichmentOptions}.
 *
 * @example
 * ```ts
 * DEFAULT_RUN_ENRICHMENT_OPTIONS.batchSize; // 500
 * ```
 */
export const DEFAULT_RUN_ENRICHMENT_OPTIONS = {
  batchSize: 500,
  flushIntervalMs: 1_000,
  flushAtEnd: true,
  idleExpiry: false,
} satisfies Partial<RunEnrichmentOptions>;

/**
 * Running totals of {@link runEnrichment}: `in = records + deadLetters + skipped`.
 *
 * @example
 * ```ts
 * for await (const { counts } of runEnrichment(inputs)) console.log(counts.in, counts.rows, counts.deadLetters);
 * ```
 */
export interface EnrichmentCounts {
  in: number;
  rows: number;
  deadLetters: number;
  /** DMS deletes and control records, counted and skipped by preprocess. */
  skipped: number;
}

/**
 * One output of {@link runEnrichment}: the rows and dead letters of one batch. Asking for
 * the next output acknowledges this one: only then is the batch's join state committed.
 *
 * @example
 * ```ts
 * for await (const output of runEnrichment(inputs)) await writer.write(output.rows);
 * ```
 */
export interface EnrichmentOutput {
  rows: EnrichedOrderItem[];
  deadLetters: DeadLetter[];
  /** Totals so far. */
  counts: EnrichmentCounts;
}

/**
 * The enrichment pipeline for a long-lived process: raw inputs (or already typed
 * records) in arrival order → preprocess → interval join → products lookup → enriched
 * rows and dead letters, batch by batch. Batches close on size or time, whichever comes
 * first. At the end of the source the join is flushed (unless `flushAtEnd: false`).
 *
 * State follows output: a batch's join state is committed when the consumer asks for the
 * next output (having written this one), never before; a consumer that stops on an error
 * leaves the join's state as it was before the unacknowledged batch.
 *
 * @example
 * ```ts
 * for await (const { rows, deadLetters } of runEnrichment(inputs, { join: { products } })) {
 *   await writer.write(rows);
 *   for (const letter of deadLetters) console.error(letter.code, letter.reason);
 * }
 * ```
 */
export async function* runEnrichment(
  source: AsyncIterable<RawInput | TimedRecord> | Iterable<RawInput | TimedRecord>,
  options: RunEnrichmentOptions = {},
): AsyncGenerator<EnrichmentOutput> {
  const settings = { ...DEFAULT_RUN_ENRICHMENT_OPTIONS, ...options };
  if (!(Number.isInteger(settings.batchSize) && settings.batchSize >= 1)) {
    throw invalidOption('batchSize', settings.batchSize, 'an integer ≥ 1');
  }
  if (!(settings.flushIntervalMs > 0)) {
    throw invalidOption('flushIntervalMs', settings.flushIntervalMs, 'a positive number of ms');
  }
  const join =
    settings.join instanceof IntervalJoin ? settings.join : new IntervalJoin(settings.join);
  const pre = createPreprocessor(settings.preprocess);
  const clock = settings.clock ?? Date.now;
  const counts: EnrichmentCounts = { in: 0, rows: 0, deadLetters: 0, skipped: 0 };

  const handle = async (
    batch: (RawInput | TimedRecord)[],
  ): Promise<{ output: EnrichmentOutput; joined: JoinBatch }> => {
    const raw: RawInput[] = [];
    const typed: TimedRecord[] = [];
    const deadLetters: DeadLetter[] = [];
    // Keep arrival order: preprocess raw runs in place.
    for (const input of batch) {
      if ('record' in input) {
        if (raw.length > 0) flushRaw();
        typed.push(input);
      } else raw.push(input);
    }
    if (raw.length > 0) flushRaw();
    function flushRaw(): void {
      const result = pre(raw);
      typed.push(...result.records);
      deadLetters.push(...result.deadLetters);
      counts.skipped += result.counts.skippedDeletes + result.counts.skippedControl;
      raw.length = 0;
    }
    counts.in += batch.length;
    const joined = await join.process(typed);
    deadLetters.push(...joined.deadLetters);
    counts.rows += joined.rows.length;
    counts.deadLetters += deadLetters.length;
    return { output: { rows: joined.rows, deadLetters, counts: { ...counts } }, joined };
  };
  // Yields a batch's outputs (if any), and commits its state once the consumer comes back
  // for more: the consumer has then dealt with them.
  async function* deliver(
    joined: JoinBatch,
    output: EnrichmentOutput,
  ): AsyncGenerator<EnrichmentOutput> {
    if (output.rows.length > 0 || output.deadLetters.length > 0) yield output;
    await joined.commit();
  }

  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<RawInput | TimedRecord>)[Symbol.asyncIterator]()
      : toAsync((source as Iterable<RawInput | TimedRecord>)[Symbol.iterator]());
  let pending: Promise<IteratorResult<RawInput | TimedRecord>> | undefined;
  let batch: (RawInput | TimedRecord)[] = [];
  const idle = settings.idleExpiry;
  // One timer per batch (not per record): armed when a batch starts, or while idle.
  let timer: NodeJS.Timeout | undefined;
  let deadline: Promise<'timeout'> | undefined;
  const disarm = (): void => {
    clearTimeout(timer);
    timer = undefined;
    deadline = undefined;
  };
  try {
    for (;;) {
      pending ??= iterator.next();
      const timed = batch.length > 0 || idle;
      if (timed && deadline === undefined) {
        deadline = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), settings.flushIntervalMs);
        });
      }
      const next = timed ? await Promise.race([pending, deadline!]) : await pending;
      if (next === 'timeout') {
        disarm();
        if (batch.length > 0) {
          const { output, joined } = await handle(batch);
          batch = [];
          yield* deliver(joined, output);
        }
        if (idle) {
          const swept = await join.sweep(clock());
          counts.rows += swept.rows.length;
          counts.deadLetters += swept.deadLetters.length;
          const output = {
            rows: swept.rows,
            deadLetters: swept.deadLetters,
            counts: { ...counts },
          };
          yield* deliver(swept, output);
        }
        continue;
      }
      pending = undefined;
      if (next.done === true) break;
      batch.push(next.value);
      if (batch.length >= settings.batchSize) {
        disarm();
        const { output, joined } = await handle(batch);
        batch = [];
        yield* deliver(joined, output);
      }
    }
    disarm();
    if (batch.length > 0) {
      const { output, joined } = await handle(batch);
      batch = [];
      yield* deliver(joined, output);
    }
    if (settings.flushAtEnd) {
      const rest = await join.flush();
      counts.rows += rest.rows.length;
      counts.deadLetters += rest.deadLetters.length;
      const output = { rows: rest.rows, deadLetters: rest.deadLetters, counts: { ...counts } };
      yield* deliver(rest, output);
    }
  } finally {
    disarm();
    if (pending === undefined) await iterator.return?.();
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return {
    next: async () => iterator.next(),
    return: async () => iterator.return?.() ?? { done: true, value: undefined },
  };
}
