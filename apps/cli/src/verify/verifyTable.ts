import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compareLanded } from './compareLanded.js';
import { emptyExpectedStats, expectedRows } from './expectedRows.js';
import { asItem, scanItems } from './scanTable.js';
import type { VerifyResult } from './types.js';

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

/**
 * Checks a table against the rows the input files call for: a paginated Scan through the
 * SDK (every item mapped with `fromDynamoItem`) while every expected row (see
 * {@link expectedRows}) is derived, compared field by field. Only a key and a fingerprint
 * are held per row that one side has produced and the other not yet (see
 * `LandedIndex`: a million rows in ~34 MB); mismatch examples are re-read with
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
