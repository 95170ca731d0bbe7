import { fromDynamoItem, type AttributeValueLike, type EnrichedOrderItem } from '@kse/schemas';
import { diffRows, type ComparableRow } from './comparableRow.js';
import { LandedIndex } from './LandedIndex.js';
import { rowFingerprint } from './rowFingerprint.js';
import { rowKey } from './rowKey.js';
import type { Comparison, LandedEntry, MismatchExample, VerifyResult } from './types.js';

/** The expected rows of one partition, and a way to find one of them again by key. */
export interface ExpectedPartition {
  /** Every expected row of the partition, one per key. */
  rows(): Iterable<ComparableRow> | AsyncIterable<ComparableRow>;
  /** The expected row with this key (for a mismatch example). */
  row(orderId: number, itemId: number): ComparableRow | undefined;
}

/** Reads one landed item again, to show how a mismatched row differs. */
export type Reread = (
  row: ComparableRow,
) => Promise<Record<string, AttributeValueLike> | undefined>;

/**
 * The comparison of landed items with expected rows, field by field (see
 * `COMPARED_FIELDS`), one partition at a time: {@link landedEntry} maps each item of the
 * table to its key and fingerprint (or counts it invalid); {@link comparePartition} holds
 * the fingerprints of one partition's expected rows (see {@link LandedIndex}) and takes
 * each landed entry of the same partition from them; {@link result} gives the counts and a
 * few examples of each kind of difference (mismatches re-read).
 */
export class ComparisonTally {
  private expected = 0;
  private landed = 0;
  private matched = 0;
  private mismatched = 0;
  private missing = 0;
  private unexpected = 0;
  private invalid = 0;
  private readonly examples: VerifyResult['examples'] = {
    missing: [],
    unexpected: [],
    mismatched: [],
    invalid: [],
  };
  private readonly mismatchedRows: ComparableRow[] = [];

  /** @param keep how many examples of each kind of difference to keep */
  constructor(private readonly keep = 5) {}

  /** Rows expected so far (compared partitions). */
  get expectedRows(): number {
    return this.expected;
  }

  /** Landed items seen so far. */
  get landedItems(): number {
    return this.landed;
  }

  /** A table item as a landed entry; `undefined` (counted invalid) when not an enriched row. */
  landedEntry(item: Record<string, AttributeValueLike>): LandedEntry | undefined {
    this.landed += 1;
    let row: EnrichedOrderItem;
    try {
      row = fromDynamoItem(item);
    } catch (error) {
      this.invalid += 1;
      if (this.examples.invalid.length < this.keep) {
        this.examples.invalid.push({
          key: `${item.orderId?.N ?? '?'}/${item.itemId?.N ?? '?'}`,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
      return undefined;
    }
    return { orderId: row.orderId, itemId: row.itemId, fingerprint: rowFingerprint(row) };
  }

  /**
   * Compares one partition: every expected row of it against every landed entry of it,
   * given in batches (entries of other partitions must not be given). Holds ~50 bytes per
   * expected row.
   */
  async comparePartition(
    expected: ExpectedPartition,
    landed: AsyncIterable<readonly LandedEntry[]> | Iterable<readonly LandedEntry[]>,
  ): Promise<void> {
    const index = new LandedIndex();
    const rows = expected.rows();
    if (Symbol.iterator in rows) {
      for (const row of rows) this.addExpected(index, row);
    } else {
      for await (const row of rows) this.addExpected(index, row);
    }
    for await (const batch of landed) {
      for (const entry of batch) this.compareEntry(index, expected, entry);
    }
    this.missing += index.size;
    const room = this.keep - this.examples.missing.length;
    if (room > 0) this.examples.missing.push(...index.remainingKeys(room));
  }

  private addExpected(index: LandedIndex, row: ComparableRow): void {
    this.expected += 1;
    index.add(row, rowFingerprint(row));
  }

  private compareEntry(index: LandedIndex, expected: ExpectedPartition, entry: LandedEntry): void {
    const wanted = index.take(entry);
    if (wanted === undefined) {
      this.unexpected += 1;
      if (this.examples.unexpected.length < this.keep) this.examples.unexpected.push(rowKey(entry));
    } else if (wanted === entry.fingerprint) {
      this.matched += 1;
    } else {
      this.mismatched += 1;
      if (this.mismatchedRows.length < this.keep) {
        const row = expected.row(entry.orderId, entry.itemId);
        if (row !== undefined) this.mismatchedRows.push(row);
      }
    }
  }

  /** The counts and examples; each mismatch example's landed row is read again. */
  async result(reread: Reread): Promise<Comparison> {
    const mismatched: MismatchExample[] = [];
    for (const row of this.mismatchedRows) {
      const item = await reread(row);
      const differences =
        item === undefined
          ? [{ field: 'orderId' as const, expected: row.orderId, actual: null }]
          : diffRows(row, fromDynamoItem(item));
      mismatched.push({ key: rowKey(row), differences });
    }
    return {
      expected: this.expected,
      landed: this.landed,
      matched: this.matched,
      missing: this.missing,
      unexpected: this.unexpected,
      mismatched: this.mismatched,
      invalid: this.invalid,
      examples: { ...this.examples, mismatched },
    };
  }
}

/** Options of {@link compareLanded}. */
export interface CompareLandedOptions {
  /** The table's items, as DynamoDB returns them. */
  landed:
    | AsyncIterable<Record<string, AttributeValueLike>>
    | Iterable<Record<string, AttributeValueLike>>;
  /** The rows the input calls for, one per key (see `LastWrites`). */
  expected: ExpectedPartition;
  /** Reads one landed item again, to show how a mismatched row differs. */
  reread: Reread;
  /** How many examples of each kind of difference to keep; default 5. */
  examples?: number;
}

/**
 * Compares landed items with expected rows in one partition, in memory (the fast path of
 * `verifyTable`, and the reference its partitioned path is tested against).
 */
export async function compareLanded(options: CompareLandedOptions): Promise<Comparison> {
  const tally = new ComparisonTally(options.examples ?? 5);
  const items: Record<string, AttributeValueLike>[] = [];
  for await (const item of options.landed) items.push(item);
  await tally.comparePartition(options.expected, entryBatches(tally, [items]));
  return tally.result(options.reread);
}

/**
 * The landed entries of some table items, a batch per batch of items (invalid items
 * counted and left out).
 */
export async function* entryBatches(
  tally: ComparisonTally,
  batches:
    | AsyncIterable<readonly Record<string, AttributeValueLike>[]>
    | Iterable<readonly Record<string, AttributeValueLike>[]>,
): AsyncGenerator<LandedEntry[]> {
  for await (const items of batches) {
    const entries: LandedEntry[] = [];
    for (const item of items) {
      const entry = tally.landedEntry(item);
      if (entry !== undefined) entries.push(entry);
    }
    yield entries;
  }
}
