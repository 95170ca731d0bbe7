import { minimumJoinStateTtlMs, type JoinTime } from '@kse/enrich';
import * as z from 'zod/mini';
import { numberAtLeast, positiveInt } from './config.js';

/** Options of the join that the enrich handler and the sweeper both read (same env vars). */
export interface JoinConfigOptions {
  /** Join window (env `JOIN_WINDOW_SECONDS`, default 60). */
  joinWindowSeconds?: number;
  /** `arrival` (Kinesis arrival time, the sample's ROWTIME) or `event` (`orderDateTime`) (env `JOIN_TIME`, default `arrival`). */
  joinTime?: JoinTime;
  /** Allowed lateness (env `JOIN_LATENESS_SECONDS`; default 0 for arrival time, 10 for event time). */
  joinLatenessSeconds?: number;
  /** TTL of join state keys after their last write (env `JOIN_STATE_TTL_SECONDS`, default 86,400). */
  joinStateTtlSeconds?: number;
  /** Period of the scheduled sweeper (env `SWEEP_INTERVAL_SECONDS`, default 60), for the TTL rule. */
  sweepIntervalSeconds?: number;
  /** Longest run of the sweeper, its timeout (env `SWEEP_BUDGET_SECONDS`, default 120), for the TTL rule. */
  sweepBudgetSeconds?: number;
}

/** The zod shape of the join's variables (merged into each handler's schema). */
export const joinConfigShape = () => ({
  JOIN_WINDOW_SECONDS: z._default(positiveInt(), 60),
  JOIN_TIME: z._default(z.enum(['arrival', 'event']), 'arrival'),
  JOIN_LATENESS_SECONDS: z.optional(numberAtLeast(0)),
  JOIN_STATE_TTL_SECONDS: z._default(positiveInt(), 86_400),
  SWEEP_INTERVAL_SECONDS: z._default(positiveInt(), 60),
  SWEEP_BUDGET_SECONDS: z._default(positiveInt(), 120),
});

type JoinConfig = {
  JOIN_WINDOW_SECONDS: number;
  JOIN_TIME: JoinTime;
  JOIN_LATENESS_SECONDS?: number | undefined;
  JOIN_STATE_TTL_SECONDS: number;
  SWEEP_INTERVAL_SECONDS: number;
  SWEEP_BUDGET_SECONDS: number;
};

/** The explicit values of {@link JoinConfigOptions}, keyed by variable (for `readConfig`). */
export function joinConfigExplicit(options: JoinConfigOptions) {
  return {
    JOIN_WINDOW_SECONDS: options.joinWindowSeconds,
    JOIN_TIME: options.joinTime,
    JOIN_LATENESS_SECONDS: options.joinLatenessSeconds,
    JOIN_STATE_TTL_SECONDS: options.joinStateTtlSeconds,
    SWEEP_INTERVAL_SECONDS: options.sweepIntervalSeconds,
    SWEEP_BUDGET_SECONDS: options.sweepBudgetSeconds,
  };
}

/** The join's settings in ms, from validated configuration. */
export function joinSettingsOf(config: JoinConfig): {
  windowMs: number;
  time: JoinTime;
  allowedLatenessMs: number;
  ttlMs: number;
} {
  const lateness = config.JOIN_LATENESS_SECONDS ?? (config.JOIN_TIME === 'event' ? 10 : 0);
  return {
    windowMs: config.JOIN_WINDOW_SECONDS * 1000,
    time: config.JOIN_TIME,
    allowedLatenessMs: lateness * 1000,
    ttlMs: config.JOIN_STATE_TTL_SECONDS * 1000,
  };
}

/**
 * The TTL rule, checked at cold start: the state's TTL must outlast window + lateness +
 * sweep interval + sweep budget (`minimumJoinStateTtlMs` of `@kse/enrich`), so that TTL
 * never deletes a key the sweeper has not dead-lettered yet.
 */
export function checkJoinStateTtl(config: JoinConfig, ctx: z.core.$RefinementCtx): void {
  const settings = joinSettingsOf(config);
  const parts = [
    settings.windowMs,
    settings.allowedLatenessMs,
    settings.ttlMs,
    config.SWEEP_INTERVAL_SECONDS,
    config.SWEEP_BUDGET_SECONDS,
  ];
  // A bad value has its own issue already (refinements run after field errors too).
  if (!parts.every((part) => typeof part === 'number' && part >= 0 && Number.isFinite(part))) {
    return;
  }
  const minimum = minimumJoinStateTtlMs({
    windowMs: settings.windowMs,
    allowedLatenessMs: settings.allowedLatenessMs,
    sweepIntervalMs: config.SWEEP_INTERVAL_SECONDS * 1000,
    sweepBudgetMs: config.SWEEP_BUDGET_SECONDS * 1000,
  });
  if (settings.ttlMs < minimum) {
    ctx.addIssue({
      code: 'custom',
      path: ['JOIN_STATE_TTL_SECONDS'],
      message: `must be at least ${Math.ceil(minimum / 1000)} (window + lateness + sweep interval + sweep budget, + 1 s)`,
    });
  }
}
