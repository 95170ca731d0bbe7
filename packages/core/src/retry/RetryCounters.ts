/**
 * Retries counted by kind, so that a run's report can show what was retried and why: one
 * key per kind (e.g. `kinesis.ProvisionedThroughputExceededException` for PutRecords
 * entries re-sent, `dynamodb.UnprocessedItems` for items re-sent, `sdk.ThrottlingException`
 * for whole calls the SDK retried), one count per record or call re-sent. Share one between
 * the loops of a run; read {@link RetryCounters.byKind} at the end.
 *
 * @example
 * ```ts
 * const retries = new RetryCounters();
 * retries.add('kinesis.ProvisionedThroughputExceededException', 3);
 * retries.byKind; // { 'kinesis.ProvisionedThroughputExceededException': 3 }
 * ```
 */
export class RetryCounters {
  readonly #counts = new Map<string, number>();

  /** Adds `count` (default 1) retries of `kind`. */
  add(kind: string, count = 1): void {
    if (count <= 0) return;
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + count);
  }

  /** A snapshot: retries by kind, kinds in the order first seen. */
  get byKind(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /** Retries of every kind. */
  get total(): number {
    let total = 0;
    for (const count of this.#counts.values()) total += count;
    return total;
  }
}
