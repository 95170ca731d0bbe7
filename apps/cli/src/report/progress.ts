import { STAGES, type PipelineSample, type Stage } from './sample.js';
import { fitText, terminalColumns } from './terminalText.js';

/** How each stage is labelled on the progress display. */
const LABELS: Record<Stage, string> = {
  generated: 'generated',
  replayed: 'replayed',
  joined: 'joined',
  written: 'written',
  deadLettered: 'dead-lettered',
};

/** Totals a stage is heading for, when known (shown as `n/total`). */
export type StageTotals = Partial<Record<Stage, number>>;

/** Formats a count with thousands separators (`1,234,567`). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function rate(current: PipelineSample, previous: PipelineSample | undefined, stage: Stage): number {
  if (previous === undefined) return 0;
  const dt = (current.t - previous.t) / 1000;
  return dt <= 0 ? 0 : (current.counts[stage] - previous.counts[stage]) / dt;
}

function age(ms: number | null): string {
  return ms === null ? '–' : `${formatCount(ms)} ms`;
}

/**
 * The progress display for a terminal: one line per stage with its count (of the total
 * when known), its current rate, and for the stages fed by a stream the iterator age.
 */
export function progressLines(
  current: PipelineSample,
  previous: PipelineSample | undefined,
  totals: StageTotals = {},
): string[] {
  return STAGES.map((stage) => {
    const count = current.counts[stage];
    const total = totals[stage];
    const amount =
      total === undefined ? formatCount(count) : `${formatCount(count)}/${formatCount(total)}`;
    let line = `${LABELS[stage].padEnd(14)}${amount.padStart(23)}  ${formatCount(rate(current, previous, stage)).padStart(9)}/s`;
    if (stage === 'joined') line += `  iterator age ${age(current.iteratorAgeMs.source)}`;
    if (stage === 'written') line += `  iterator age ${age(current.iteratorAgeMs.enriched)}`;
    if (stage === 'deadLettered') line += `  retries ${formatCount(current.retries)}`;
    return line;
  });
}

/** One quiet line for logs (off a terminal): every stage's count, ages and retries. */
export function progressLogLine(current: PipelineSample): string {
  const counts = STAGES.map((stage) => `${LABELS[stage]} ${current.counts[stage]}`).join(', ');
  return (
    `[${(current.t / 1000).toFixed(1)}s] ${counts}; iterator age ${age(current.iteratorAgeMs.source)} / ` +
    `${age(current.iteratorAgeMs.enriched)}; retries ${current.retries}`
  );
}

/** Where progress goes: a terminal (redrawn in place) or a log (periodic lines). */
export interface ProgressWriter {
  update(current: PipelineSample, previous: PipelineSample | undefined, totals: StageTotals): void;
  /** Writes a message above the display (a terminal) or as a line (a log). */
  note(message: string): void;
  /** Leaves the last display in place; later output starts on a fresh line. */
  done(): void;
}

/**
 * Redraws the stage lines in place on a TTY (cursor up, clear line), or writes one
 * {@link progressLogLine} every `logEveryMs` otherwise. On a TTY every line fits the
 * terminal's width (`columns`, read at each draw: the window may be resized): a stage
 * line is cut (a wrapped one would break the redraw), a note is wrapped.
 */
export function createProgressWriter(
  stream: NodeJS.WriteStream,
  options: { tty?: boolean; logEveryMs?: number; columns?: () => number } = {},
): ProgressWriter {
  const tty = options.tty ?? stream.isTTY === true;
  const columns = options.columns ?? (() => terminalColumns(stream));
  const logEveryMs = options.logEveryMs ?? 5_000;
  let drawn = 0;
  let lastLog = -Infinity;
  let last: PipelineSample | undefined;
  return {
    update(current, previous, totals) {
      last = current;
      if (tty) {
        const width = columns();
        const lines = progressLines(current, previous, totals).map((line) => line.slice(0, width));
        const up = drawn > 0 ? `\x1b[${drawn}A` : '';
        stream.write(up + lines.map((line) => `\r\x1b[2K${line}`).join('\n') + '\n');
        drawn = lines.length;
      } else if (current.t - lastLog >= logEveryMs) {
        lastLog = current.t;
        stream.write(progressLogLine(current) + '\n');
      }
    },
    note(message) {
      if (tty && drawn > 0) {
        // Erase the display, write the message, and let the next update draw below it.
        stream.write(`\x1b[${drawn}A\r\x1b[J`);
        drawn = 0;
      }
      const text = message.endsWith('\n') ? message : message + '\n';
      stream.write(tty ? fitText(text, columns()) : text);
    },
    done() {
      if (!tty && last !== undefined && last.t !== lastLog)
        stream.write(progressLogLine(last) + '\n');
      drawn = 0;
    },
  };
}
