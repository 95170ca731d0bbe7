import {
  GetItemCommand,
  paginateScan,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { fromDynamoItem, type AttributeValueLike, type EnrichedOrderItem } from '@kse/schemas';
import { emptyExpectedStats, expectedRows, type ExpectedStats } from './expectedRows.js';
import { LandedIndex, rowFingerprint } from './landedIndex.js';
import {
  canonicalRow,
  diffRows,
  rowKey,
  type ComparableRow,
  type FieldDifference,
} from './rowKey.js';

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
 * SDK (every item mapped with `fromDynamoItem`), then every expected row (see
 * {@link expectedRows}) compared field by field. Only a key and a fingerprint per landed row
 * are held (see {@link LandedIndex}: a million rows in ~34 MB); mismatch examples are re-read
 * with GetItem.
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
  const comparison = await compareLanded({
    landed: scanItems(options.dynamodb, table, options.segments ?? 1),
    expected: expectedRows({
      productsPath: options.productsPath,
      ordersPath: options.ordersPath,
      stats: input,
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
  /** The rows the input calls for. */
  expected: AsyncIterable<ComparableRow> | Iterable<ComparableRow>;
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
 * Compares landed items with expected rows, field by field (see `COMPARED_FIELDS`). Only a
 * fingerprint of each landed row is held; the few mismatch examples are re-read.
 */
export async function compareLanded(options: CompareLandedOptions): Promise<Comparison> {
  const keep = options.examples ?? 5;
  const examples: VerifyResult['examples'] = {
    missing: [],
    unexpected: [],
    mismatched: [],
    invalid: [],
  };

  const landedRows = new LandedIndex();
  let landed = 0;
  let invalid = 0;
  for await (const item of options.landed) {
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
    landedRows.add(row, rowFingerprint(canonicalRow(row)));
  }

  let expected = 0;
  let matched = 0;
  let missing = 0;
  let mismatched = 0;
  const mismatchedRows: ComparableRow[] = [];
  for await (const row of options.expected) {
    expected += 1;
    const found = landedRows.take(row);
    if (found === undefined) {
      missing += 1;
      if (examples.missing.length < keep) examples.missing.push(rowKey(row));
      continue;
    }
    if (found === rowFingerprint(canonicalRow(row))) {
      matched += 1;
    } else {
      mismatched += 1;
      if (mismatchedRows.length < keep) mismatchedRows.push(row);
    }
  }
  const unexpected = landedRows.size;
  examples.unexpected.push(...landedRows.remainingKeys(keep));

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
