import type { ExpectedStats } from './expectedStats.js';
import type { FieldDifference } from './comparableRow.js';

/** A landed row that differs from its expected row. */
export interface MismatchExample {
  key: string;
  differences: FieldDifference[];
}

/** What `verifyTable` found. */
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

/** The counts and examples of `compareLanded`. */
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

/** One landed row as the comparison needs it: its key and its fingerprint. */
export interface LandedEntry {
  orderId: number;
  itemId: number;
  fingerprint: number;
}

/** How far a verification is (see `formatVerifyProgress`). */
export interface VerifyProgress {
  /** `scan`: reading the table (and the input); `compare`: comparing partitions. */
  phase: 'scan' | 'compare';
  /** Table items read so far. */
  scanned: number;
  /** Rows expected, once known (before the scan on the fast path). */
  expected: number | undefined;
  /** Share of the input file read, 0 … 1. */
  inputRead: number;
  /** Partitions compared so far, and in all. */
  partitionsDone: number;
  partitions: number;
  elapsedMs: number;
}
