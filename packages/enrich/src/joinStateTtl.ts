import { invalidOption } from './errors.js';

/**
 * What the TTL of the join state must outlast (see {@link minimumJoinStateTtlMs}).
 *
 * @example
 * ```ts
 * const sizing: JoinStateTtlSizing = { windowMs: 60_000, allowedLatenessMs: 0, sweepIntervalMs: 60_000, sweepBudgetMs: 120_000 };
 * ```
 */
export interface JoinStateTtlSizing {
  /** The join window. */
  windowMs: number;
  /** The join's allowed lateness (0 for arrival time by default, 10 s for event time). */
  allowedLatenessMs: number;
  /** How often the sweeper runs (its schedule's period). */
  sweepIntervalMs: number;
  /** The longest one sweep may take (the sweeper function's timeout). */
  sweepBudgetMs: number;
}

/**
 * The shortest TTL the join state table may have, in ms after a key's last write: a key
 * written at wall time `w` can expire (its partners can no longer come) at about
 * `w + windowMs + allowedLatenessMs`; the next sweep starts within `sweepIntervalMs` and
 * ends within `sweepBudgetMs`. TTL must be strictly longer than the sum, so that DynamoDB
 * never deletes a key nobody has dead-lettered yet (TTL is garbage collection, never the
 * way an unmatched record goes). The result is that sum plus one second (TTL has
 * second precision); use at least it for `DynamoDbJoinStore`'s `ttlMs` (the default, one
 * day, is far above it for a one-minute window).
 *
 * @example
 * ```ts
 * const ttlMs = Math.max(DEFAULT_DYNAMODB_JOIN_STORE_OPTIONS.ttlMs,
 *   minimumJoinStateTtlMs({ windowMs: 60_000, allowedLatenessMs: 0, sweepIntervalMs: 60_000, sweepBudgetMs: 120_000 }));
 * ```
 */
export function minimumJoinStateTtlMs(sizing: JoinStateTtlSizing): number {
  for (const name of [
    'windowMs',
    'allowedLatenessMs',
    'sweepIntervalMs',
    'sweepBudgetMs',
  ] as const) {
    const value = sizing[name];
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw invalidOption(name, value, 'a finite number of ms ≥ 0');
    }
  }
  return (
    sizing.windowMs +
    sizing.allowedLatenessMs +
    sizing.sweepIntervalMs +
    sizing.sweepBudgetMs +
    1_000
  );
}
