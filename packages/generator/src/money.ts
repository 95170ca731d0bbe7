/**
 * Turns integer cents into the JSON number kse writes (`12999` → `129.99`, `12990` →
 * `129.9`, `13000` → `130`). For |cents| < 2^53 / 100 the division is correctly rounded
 * to the double nearest the decimal value, and JavaScript prints the shortest decimal
 * that reads back to it, so no float drift (`0.30000000000000004`) can appear: the
 * printed value is exactly `cents / 100` written with at most two decimals.
 *
 * @example
 * ```ts
 * JSON.stringify(centsToAmount(30)); // "0.3"
 * ```
 */
export function centsToAmount(cents: number): number {
  return cents / 100;
}

/** Formats integer cents as a decimal with exactly two decimals (`12990` → `"129.90"`). */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  return `${sign}${whole}.${frac < 10 ? '0' : ''}${frac}`;
}
