import type { VerifyResult } from './types.js';

/**
 * The verdict as text: the counts on one line each, then a few examples of each kind of
 * difference, then `EXACT` or `NOT EXACT`.
 *
 * @example
 * ```ts
 * process.stdout.write(formatVerdict(await verifyTable(options)));
 * ```
 */
export function formatVerdict(result: VerifyResult): string {
  const lines = [
    `verdict for table ${result.table}:`,
    `  expected       ${result.expected}`,
    `  landed         ${result.landed}`,
    `  missing        ${result.missing}`,
    `  unexpected     ${result.unexpected}`,
    `  mismatched     ${result.mismatched}`,
    `  dead-lettered  ${result.deadLettered ?? 'unknown'}`,
  ];
  if (result.invalid > 0) lines.push(`  invalid items  ${result.invalid}`);
  if (result.input.badLines > 0) lines.push(`  bad input lines ${result.input.badLines}`);
  if (result.input.repeatedKeys > 0) {
    lines.push(`  repeated keys  ${result.input.repeatedKeys} (input copies; the last one wins)`);
  }
  if (result.examples.missing.length > 0) {
    lines.push(`  missing e.g. (orderId/itemId): ${result.examples.missing.join(', ')}`);
  }
  if (result.examples.unexpected.length > 0) {
    lines.push(`  unexpected e.g. (orderId/itemId): ${result.examples.unexpected.join(', ')}`);
  }
  for (const example of result.examples.mismatched) {
    const fields = example.differences
      .map(
        (d) =>
          `${d.field}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`,
      )
      .join('; ');
    lines.push(`  mismatched ${example.key}: ${fields}`);
  }
  for (const example of result.examples.invalid) {
    lines.push(`  invalid ${example.key}: ${example.reason}`);
  }
  lines.push(
    result.exact
      ? `EXACT: all ${result.expected} expected rows landed, field for field, and nothing else.`
      : 'NOT EXACT',
  );
  return lines.join('\n') + '\n';
}
