import type { FaultsReport } from './buildReport.js';
import { formatCount } from './progress.js';

/**
 * The terminal's fault summary (`kse run --faults`): two lines of at most 80 columns,
 * the faults injected by kind and the retries that answered them by kind; kinds at zero
 * are left out.
 *
 * @example
 * faults injected 1,234: throttle 600, 5xx 240, unprocessed 394
 * retries seen 1,180: throttle 590, 5xx 236, unprocessed 354
 */
export function faultLines(faults: FaultsReport): string[] {
  return [line('faults injected', faults.injected), line('retries seen', faults.retried)];
}

function line(label: string, counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${formatCount(n)}`);
  const text = `${label} ${formatCount(total)}${parts.length > 0 ? ': ' + parts.join(', ') : ''}`;
  return text.length <= 80 ? text : text.slice(0, 79) + '…';
}
