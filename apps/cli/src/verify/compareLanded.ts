import { fromDynamoItem, type AttributeValueLike, type EnrichedOrderItem } from '@kse/schemas';
import { diffRows, type ComparableRow } from './comparableRow.js';
import { LandedIndex } from './LandedIndex.js';
import { rowFingerprint } from './rowFingerprint.js';
import { rowKey } from './rowKey.js';
import type { Comparison, MismatchExample, VerifyResult } from './types.js';

/** Options of {@link compareLanded}. */
export interface CompareLandedOptions {
  /** The table's items, as DynamoDB returns them. */
  landed:
    | AsyncIterable<Record<string, AttributeValueLike>>
    | Iterable<Record<string, AttributeValueLike>>;
  /**
   * The rows the input calls for. Called once, and once more when a mismatch example needs
   * an expected row that was compared before its landed row arrived.
   */
  expected: () => AsyncIterable<ComparableRow> | Iterable<ComparableRow>;
  /** Reads one landed item again, to show how a mismatched row differs. */
  reread: (row: ComparableRow) => Promise<Record<string, AttributeValueLike> | undefined>;
  /** How many examples of each kind of difference to keep; default 5. */
  examples?: number;
}

/**
 * Compares landed items with expected rows, field by field (see `COMPARED_FIELDS`). The
 * table is read and the expected rows derived at the same time; each side holds only a key
 * and a fingerprint of the rows the other side has not produced yet (see
 * {@link LandedIndex}), and the few mismatch examples are re-read. An expected row listed
 * twice can be matched by one landed row only: the second counts as missing.
 */
export async function compareLanded(options: CompareLandedOptions): Promise<Comparison> {
  const keep = options.examples ?? 5;
  const examples: VerifyResult['examples'] = {
    missing: [],
    unexpected: [],
    mismatched: [],
    invalid: [],
  };
  // Rows one side has produced and the other not yet.
  const landedOnly = new LandedIndex();
  const expectedOnly = new LandedIndex();
  let landed = 0;
  let invalid = 0;
  let expected = 0;
  let matched = 0;
  let mismatched = 0;
  let duplicates = 0;
  // Mismatch examples: expected rows at hand, or keys of rows to derive again.
  const mismatchedRows: ComparableRow[] = [];
  const mismatchedKeys = new Set<string>();
  const mismatch = (row: ComparableRow, atHand: boolean): void => {
    mismatched += 1;
    if (mismatchedRows.length + mismatchedKeys.size >= keep) return;
    if (atHand) mismatchedRows.push(row);
    else mismatchedKeys.add(rowKey(row));
  };
  let failed = false;
  const readTable = async (): Promise<void> => {
    for await (const item of options.landed) {
      if (failed) return;
      landed += 1;
      let row: EnrichedOrderItem;
      try {
        row = fromDynamoItem(item);
      } catch (error) {
        invalid += 1;
        if (examples.invalid.length < keep) {
          examples.invalid.push({
            key: `${item.orderId?.N ?? '?'}/${item.itemId?.N ?? '?'}`,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
        continue;
      }
      const fingerprint = rowFingerprint(row);
      const wanted = expectedOnly.take(row);
      if (wanted === undefined) landedOnly.add(row, fingerprint);
      else if (wanted === fingerprint) matched += 1;
      else mismatch(row, false);
    }
  };
  const deriveExpected = async (): Promise<void> => {
    for await (const row of options.expected()) {
      if (failed) return;
      expected += 1;
      const fingerprint = rowFingerprint(row);
      const found = landedOnly.take(row);
      if (found === fingerprint) matched += 1;
      else if (found !== undefined) mismatch(row, true);
      else if (!expectedOnly.add(row, fingerprint)) {
        duplicates += 1;
        if (examples.missing.length < keep) examples.missing.push(rowKey(row));
      }
    }
  };
  const both = [readTable(), deriveExpected()].map((side) =>
    side.catch((error: unknown) => {
      failed = true;
      throw error;
    }),
  );
  await Promise.all(both);

  const missing = expectedOnly.size + duplicates;
  examples.missing.push(...expectedOnly.remainingKeys(keep - examples.missing.length));
  const unexpected = landedOnly.size;
  examples.unexpected.push(...landedOnly.remainingKeys(keep));

  examples.mismatched.push(...(await mismatchExamples(options, mismatchedRows, mismatchedKeys)));
  return { expected, landed, matched, missing, unexpected, mismatched, invalid, examples };
}

// How each mismatched row differs: the expected rows at hand, plus those whose keys are in
// `keys` (derived once more), each compared with its landed row read again.
async function mismatchExamples(
  options: Pick<CompareLandedOptions, 'expected' | 'reread'>,
  atHand: readonly ComparableRow[],
  keys: Set<string>,
): Promise<MismatchExample[]> {
  const rows = [...atHand];
  if (keys.size > 0) {
    for await (const row of options.expected()) {
      if (!keys.delete(rowKey(row))) continue;
      rows.push(row);
      if (keys.size === 0) break;
    }
  }
  const examples: MismatchExample[] = [];
  for (const row of rows) {
    const item = await options.reread(row);
    const differences =
      item === undefined
        ? [{ field: 'orderId' as const, expected: row.orderId, actual: null }]
        : diffRows(row, fromDynamoItem(item));
    examples.push({ key: rowKey(row), differences });
  }
  return examples;
}
