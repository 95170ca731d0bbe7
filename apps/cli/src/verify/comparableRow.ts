import {
  ENRICHED_FIELDS,
  ENRICHED_TRACE_FIELDS,
  type EnrichedField,
  type EnrichedOrderItem,
} from '@kse/schemas';

/** One compared field name: an enriched field that is not a trace field. */
export type ComparedField = Exclude<EnrichedField, (typeof ENRICHED_TRACE_FIELDS)[number]>;

/**
 * The fields of an enriched row that verification compares, in `ENRICHED_FIELDS` order:
 * every field of `@kse/schemas`' one list but its trace fields (`ENRICHED_TRACE_FIELDS`:
 * `event_ts`, when the row was produced, and the `*_arrival_ts` fields, when the source
 * records reached Kinesis), which differ from run to run by design. Derived, not written
 * out, so that a field added to the enriched row is compared without anyone remembering to.
 */
export const COMPARED_FIELDS: readonly ComparedField[] = ENRICHED_FIELDS.filter(
  (field): field is ComparedField =>
    !(ENRICHED_TRACE_FIELDS as readonly EnrichedField[]).includes(field),
);

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
