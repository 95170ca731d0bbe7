import type { VerifyProgress } from './types.js';

/**
 * One progress line of a verification, at most 80 columns, e.g.
 * `verify 12 s: scanned 412,000 rows, input 43% read, 10 partitions`.
 */
export function formatVerifyProgress(progress: VerifyProgress): string {
  const seconds = Math.round(progress.elapsedMs / 1000);
  const count = (n: number): string => n.toLocaleString('en-US');
  const head = `verify ${seconds} s: `;
  const line =
    progress.phase === 'compare'
      ? `${head}compared ${progress.partitionsDone}/${progress.partitions} partitions, ` +
        `${count(progress.scanned)} rows scanned`
      : progress.expected !== undefined
        ? `${head}scanned ${count(progress.scanned)} of ${count(progress.expected)} expected rows`
        : `${head}scanned ${count(progress.scanned)} rows, input ` +
          `${Math.floor(progress.inputRead * 100)}% read, ${progress.partitions} partitions`;
  return line.length > 80 ? line.slice(0, 79) + '…' : line;
}
