import { InvalidArgumentError } from 'commander';
import { FAULT_SPEC_KEYS, parseFaultSpec, type FaultSpec } from '@kse/local-stack';

/** Commander parser for an integer ≥ `min` (usage error, exit 2, otherwise). */
export function intAtLeast(min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`must be an integer >= ${min}`);
    }
    return n;
  };
}

/** Commander parser for `--rate`: a positive number of records/s, or `max`. */
export function rateOption(value: string): number | 'max' {
  if (value === 'max' || value === '0') return 'max';
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be > 0 or "max"');
  return n;
}

/** Commander parser for a duration such as `90s`, `5m`, `1500ms` or a number of seconds. */
export function durationOption(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (match === null)
    throw new InvalidArgumentError('must be a duration such as 90s, 5m or 1500ms');
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(n * factor);
}

/**
 * Commander parser for `--faults`: `@kse/local-stack`'s fault spec, e.g.
 * `throttle=0.05,5xx=0.01,unprocessed=0.1,stall=2s@30s,seed=7`.
 */
export function faultsOption(value: string): FaultSpec {
  try {
    return parseFaultSpec(value, '--faults');
  } catch (error) {
    throw new InvalidArgumentError(
      (error as Error).message.replace(/^KSE_CONFIG_INVALID: fault spec "[^"]*": /, ''),
    );
  }
}

/** What `--faults` accepts, for help texts. */
export const FAULTS_HELP =
  'inject faults through a proxy in front of the emulators: comma-separated key=value; ' +
  `keys ${FAULT_SPEC_KEYS.join(', ')} (e.g. throttle=0.05,5xx=0.01,unprocessed=0.1,stall=2s@30s,seed=7)`;
