import {
  GetItemCommand,
  paginateScan,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { fromDynamoItem, type AttributeValueLike, type EnrichedOrderItem } from '@kse/schemas';
import { emptyExpectedStats, expectedRows, type ExpectedStats } from './expectedRows.js';
import { LandedIndex, rowFingerprint } from './landedIndex.js';
import { diffRows, rowKey, type ComparableRow, type FieldDifference } from './rowKey.js';

/** Options of {@link verifyTable}. */
export interface VerifyTableOptions {
  /** A DynamoDB client (real SDK), pointed at the table's account or the local stack. */
  dynamodb: DynamoDBClient;
  /** The table to check; default `OrdersEnriched`. */
  tableName?: string;
  /** The products file the run was generated with. */
  productsPath: string;
  /** The orders file the run was generated with. */
  ordersPath: string;
  /** Records the pipeline dead-lettered, when known (a run knows; a bare verify may not). */
  deadLettered?: number;
  /** How many examples of each kind of difference to keep; default 5. */
  examples?: number;
  /** Parallel scan segments; default 1. */
  segments?: number;
}

/** A landed row that differs from its expected row. */
export interface MismatchExample {
  key: string;
  differences: FieldDifference[];
}

/** What {@link verifyTable} found. */
export interface VerifyResult {
  table: string;
  /** Rows the input files call for. */
  expected: number;
  /** Rows in the table. */
  landed: number;
  /** Expected rows found with every compared field equal. */
  matched: number;
  /** Expected rows not in the table. */
  missing: number;
  /** Rows in the table that no input row calls for. */
  unexpected: number;
  /** Rows in the table with the right key and a different value in a compared field. */
  mismatched: number;
  /** Items in the table that are not enriched rows at all (they fail the schema). */
  invalid: number;
  /** Records dead-lettered by the pipeline, or `null` when unknown. */
  deadLettered: number | null;
  /** True only when every expected row landed exactly and nothing else did. */
  exact: boolean;
  input: ExpectedStats;
  examples: {
    missing: string[];
    unexpected: string[];
    mismatched: MismatchExample[];
    invalid: { key: string; reason: string }[];
  };
  durationMs: number;
}

/**
 * Checks a table against the rows the input files call for: a paginated Scan through the
 * SDK (every item mapped with `fromDynamoItem`) while every expected row (see
 * {@link expectedRows}) is derived, compared field by field. Only a key and a fingerprint
 * are held per row that one side has produced and the other not yet (see
 * {@link LandedIndex}: a million rows in ~34 MB); mismatch examples are re-read with
 * GetItem.
 *
 * @example
 * ```ts
 * const result = await verifyTable({ dynamodb, productsPath, ordersPath });
 * console.log(formatVerdict(result));
 * process.exitCode = result.exact ? 0 : 1;
 * ```
 */
export async function verifyTable(options: VerifyTableOptions): Promise<VerifyResult> {
  const started = Date.now();
  const table = options.tableName ?? 'OrdersEnriched';
  const input = emptyExpectedStats();
  let passes = 0;
  const comparison = await compareLanded({
    landed: scanItems(options.dynamodb, table, options.segments ?? 1),
    expected: () =>
      expectedRows({
        productsPath: options.productsPath,
        ordersPath: options.ordersPath,
        // The first pass fills the stats; a second one (for mismatch examples) must not.
        stats: passes++ === 0 ? input : emptyExpectedStats(),
      }),
    examples: options.examples,
    reread: async (row) => {
      const response = await options.dynamodb.send(
        new GetItemCommand({
          TableName: table,
          Key: { orderId: { N: String(row.orderId) }, itemId: { N: String(row.itemId) } },
          ConsistentRead: true,
        }),
      );
      return response.Item === undefined ? undefined : asItem(response.Item);
    },
  });
  const deadLettered = options.deadLettered ?? null;
  return {
    table,
    ...comparison,
    deadLettered,
    exact:
      comparison.missing === 0 &&
      comparison.unexpected === 0 &&
      comparison.mismatched === 0 &&
      comparison.invalid === 0 &&
      input.badLines === 0 &&
      (deadLettered ?? 0) === 0,
    input,
    durationMs: Date.now() - started,
  };
}

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

/** The counts and examples of {@link compareLanded}. */
export type Comparison = Pick<
  VerifyResult,
  | 'expected'
  | 'landed'
  | 'matched'
  | 'missing'
  | 'unexpected'
  | 'mismatched'
  | 'invalid'
  | 'examples'
>;

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

  if (mismatchedKeys.size > 0) {
    for await (const row of options.expected()) {
      if (!mismatchedKeys.delete(rowKey(row))) continue;
      mismatchedRows.push(row);
      if (mismatchedKeys.size === 0) break;
    }
  }
  for (const row of mismatchedRows) {
    const item = await options.reread(row);
    const differences =
      item === undefined
        ? [{ field: 'orderId' as const, expected: row.orderId, actual: null }]
        : diffRows(row, fromDynamoItem(item));
    examples.mismatched.push({ key: rowKey(row), differences });
  }
  return { expected, landed, matched, missing, unexpected, mismatched, invalid, examples };
}

/** Every item of a table, through the SDK's Scan paginator (optionally segmented). */
export async function* scanItems(
  dynamodb: DynamoDBClient,
  tableName: string,
  segments = 1,
): AsyncGenerator<Record<string, AttributeValueLike>> {
  if (segments <= 1) {
    for await (const page of paginateScan({ client: dynamodb }, { TableName: tableName })) {
      for (const item of page.Items ?? []) yield asItem(item);
    }
    return;
  }
  // Parallel segments, merged: each segment's pages are collected page by page.
  const iterators = Array.from({ length: segments }, (_, segment) =>
    paginateScan(
      { client: dynamodb },
      { TableName: tableName, Segment: segment, TotalSegments: segments },
    )[Symbol.asyncIterator](),
  );
  const pending = new Map(iterators.map((iterator, index) => [index, iterator.next()]));
  while (pending.size > 0) {
    const [index, result] = await Promise.race(
      [...pending].map(([index, promise]) => promise.then((result) => [index, result] as const)),
    );
    if (result.done === true) {
      pending.delete(index);
      continue;
    }
    pending.set(index, iterators[index]!.next());
    for (const item of result.value.Items ?? []) yield asItem(item);
  }
}

/**
 * The SDK's `AttributeValue` is a union of interfaces without an index signature, so it
 * does not type-check as `@kse/schemas`' `AttributeValueLike` although every value fits it.
 */
function asItem(item: Record<string, AttributeValue>): Record<string, AttributeValueLike> {
  return item as unknown as Record<string, AttributeValueLike>;
}
