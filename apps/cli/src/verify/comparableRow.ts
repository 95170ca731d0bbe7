import type { EnrichedOrderItem } from '@kse/schemas';

/**
 * The fields of an enriched row that verification compares, in a fixed order. Left out on
 * purpose: `event_ts` (when the row was produced) and the `*_arrival_ts` trace fields
 * (when the source records reached Kinesis): they differ from run to run by design.
 */
export const COMPARED_FIELDS = [
  'orderId',
  'itemId',
  'orderAmount',
  'orderStatus',
  'orderDateTime',
  'shipToName',
  'shipToAddress',
  'shipToCity',
  'shipToState',
  'shipToZip',
  'itemAmount',
  'itemQuantity',
  'itemStatus',
  'productName',
] as const;

/** One compared field name. */
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/** An enriched row without the fields that legitimately differ between runs. */
export type ComparableRow = Pick<EnrichedOrderItem, ComparedField>;

/**
 * The compared fields of a row as one canonical string (fixed field order, JSON values),
 * so that two rows are equal on every compared field exactly when their strings are.
 */
export function canonicalRow(row: ComparableRow): string {
  const values: unknown[] = [];
  for (const field of COMPARED_FIELDS) values.push(row[field] ?? null);
  return JSON.stringify(values);
}

/** One field that differs between the expected and the landed row. */
export interface FieldDifference {
  field: ComparedField;
  expected: unknown;
  actual: unknown;
}

/** Every compared field where `actual` differs from `expected` (empty when equal). */
export function diffRows(expected: ComparableRow, actual: ComparableRow): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const field of COMPARED_FIELDS) {
    const want = expected[field] ?? null;
    const got = actual[field] ?? null;
    if (!Object.is(want, got)) differences.push({ field, expected: want, actual: got });
  }
  return differences;
}
