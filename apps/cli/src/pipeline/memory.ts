import { readFile } from 'node:fs/promises';

/**
 * The peak resident set of this process: sampled while the run goes, and at the end read
 * from the kernel's own maximum (`maxRSS`, the true peak between samples too).
 */
export class PeakRss {
  private peak = process.memoryUsage.rss();

  /** Takes one sample of this process's RSS. */
  observe(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }

  /**
   * The peak of this process plus `childrenPeak`, the peak of the embedded stack's child
   * processes: an upper bound of the peak of both, as if they had peaked at the same time.
   */
  total(childrenPeak: number): number {
    const own = Math.max(
      this.peak,
      process.memoryUsage.rss(),
      process.resourceUsage().maxRSS * 1024,
    );
    return own + childrenPeak;
  }
}

/** Peak resident set of another process (Linux `/proc`), bytes; 0 when unknown. */
export async function peakRssOfProcess(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}
