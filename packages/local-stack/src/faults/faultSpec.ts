import { LocalStackError } from '../errors.js';

/**
 * What a fault proxy injects (see {@link parseFaultSpec} for the text form). Rates are
 * probabilities per request (or per entry, for `partial` and `unprocessed`), 0 to 1.
 */
export interface FaultSpec {
  /** Whole-call throttling (400): `ProvisionedThroughputExceededException`, `ThrottlingException`, `LimitExceededException`. */
  throttle: number;
  /** Whole-call server errors: 500 `InternalFailure`/`InternalServerError`, 503 `ServiceUnavailable`. */
  serverError: number;
  /** Per PutRecords entry: failed with `ProvisionedThroughputExceededException` or `InternalFailure` (not written). */
  partial: number;
  /** Per BatchWriteItem request: returned in `UnprocessedItems` (not written). */
  unprocessed: number;
  /** Per GetRecords call: 400 `ExpiredIteratorException`. */
  expired: number;
  /** Per request: the connection is destroyed before any answer. */
  reset: number;
  /** Added to every request, ms. */
  latencyMs: number;
  /** Every request is held while the stall lasts: `durationMs` from `atMs` after the proxy started. */
  stall: { durationMs: number; atMs: number } | null;
  seed: number;
}

/** A spec that injects nothing. */
export const NO_FAULTS: FaultSpec = Object.freeze({
  throttle: 0,
  serverError: 0,
  partial: 0,
  unprocessed: 0,
  expired: 0,
  reset: 0,
  latencyMs: 0,
  stall: null,
  seed: 1,
});

/** The keys of the text form, and what each sets. */
export const FAULT_SPEC_KEYS = [
  'throttle',
  '5xx',
  'partial',
  'unprocessed',
  'expired',
  'reset',
  'latency',
  'stall',
  'seed',
] as const;

const RATE_KEYS = {
  throttle: 'throttle',
  '5xx': 'serverError',
  partial: 'partial',
  unprocessed: 'unprocessed',
  expired: 'expired',
  reset: 'reset',
} as const;

/**
 * Parses a fault spec: comma-separated `key=value`, e.g.
 * `throttle=0.05,5xx=0.01,unprocessed=0.1,partial=0.05,expired=0.01,reset=0.01,latency=20ms,stall=2s@30s,seed=7`.
 * Rates are numbers from 0 to 1; `latency` a duration (`20ms`, `1s`); `stall` a duration
 * `@` a start offset; `seed` an integer. An unknown key, a repeated key or a bad value is
 * a `KSE_CONFIG_INVALID` naming it.
 */
export function parseFaultSpec(text: string, setting = 'faults'): FaultSpec {
  const spec: FaultSpec = { ...NO_FAULTS };
  const seen = new Set<string>();
  const bad = (message: string): LocalStackError =>
    new LocalStackError('KSE_CONFIG_INVALID', `fault spec "${text}": ${message}`, { setting });
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw bad(`"${part}" is not key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!(FAULT_SPEC_KEYS as readonly string[]).includes(key)) {
      throw bad(`unknown key "${key}" (known: ${FAULT_SPEC_KEYS.join(', ')})`);
    }
    if (seen.has(key)) throw bad(`"${key}" given twice`);
    seen.add(key);
    if (key in RATE_KEYS) {
      const rate = Number(value);
      if (value === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
        throw bad(`${key}=${value}: a rate from 0 to 1 is expected`);
      }
      spec[RATE_KEYS[key as keyof typeof RATE_KEYS]] = rate;
    } else if (key === 'latency') {
      spec.latencyMs = durationMs(value, () => bad(`latency=${value}: a duration (20ms, 1s)`));
    } else if (key === 'stall') {
      const [duration, at] = value.split('@');
      const err = (): LocalStackError => bad(`stall=${value}: <duration>@<start> (2s@30s)`);
      if (duration === undefined || at === undefined) throw err();
      spec.stall = { durationMs: durationMs(duration, err), atMs: durationMs(at, err) };
    } else {
      const seed = Number(value);
      if (!Number.isSafeInteger(seed)) throw bad(`seed=${value}: an integer is expected`);
      spec.seed = seed;
    }
  }
  return spec;
}

/** The spec back in its text form (keys that inject nothing left out). */
export function formatFaultSpec(spec: FaultSpec): string {
  const parts: string[] = [];
  for (const [key, field] of Object.entries(RATE_KEYS)) {
    if (spec[field] > 0) parts.push(`${key}=${spec[field]}`);
  }
  if (spec.latencyMs > 0) parts.push(`latency=${spec.latencyMs}ms`);
  if (spec.stall !== null) parts.push(`stall=${spec.stall.durationMs}ms@${spec.stall.atMs}ms`);
  parts.push(`seed=${spec.seed}`);
  return parts.join(',');
}

function durationMs(text: string, error: () => Error): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw error();
  const n = Number(match[1]);
  const unit = match[2] ?? 'ms';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}
