import { describe, expect, it } from 'vitest';
import { createProgressWriter, progressLines, progressLogLine } from '../../src/report/progress.js';
import { counts } from './reportFixtures.js';

const sample = (t: number, n: number) => ({
  t,
  counts: counts({ generated: 3000, replayed: n, joined: n, written: n, deadLettered: 0 }),
  iteratorAgeMs: { source: 120, enriched: null },
  retries: 7,
});

describe('run progress', () => {
  it('shows one line per stage with count of total, rate, iterator age and retries', () => {
    const lines = progressLines(sample(2000, 2500), sample(1000, 500), { replayed: 3000 });
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^replayed\s+2,500\/3,000\s+2,000\/s$/);
    expect(lines[2]).toMatch(/^joined\s+2,500\s+2,000\/s\s+iterator age 120 ms$/);
    expect(lines[3]).toMatch(/iterator age –$/);
    expect(lines[4]).toMatch(/^dead-lettered\s+0\s+0\/s\s+retries 7$/);
  });

  it('redraws in place on a terminal: cursor up by the lines drawn before', () => {
    let out = '';
    const stream = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    const writer = createProgressWriter(stream, { tty: true });
    writer.update(sample(0, 0), undefined, {});
    expect(out).not.toContain('\x1b[5A');
    writer.update(sample(500, 10), sample(0, 0), {});
    expect(out).toContain('\x1b[5A');
  });

  it('writes a quiet line at most every logEveryMs off a terminal, and the last one at the end', () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
    const writer = createProgressWriter(stream, { tty: false, logEveryMs: 5000 });
    for (let t = 0; t <= 7000; t += 500) writer.update(sample(t, t), undefined, {});
    writer.done();
    expect(lines).toEqual([
      progressLogLine(sample(0, 0)) + '\n',
      progressLogLine(sample(5000, 5000)) + '\n',
      progressLogLine(sample(7000, 7000)) + '\n',
    ]);
    expect(lines[0]).not.toContain('\x1b');
  });
});

describe('run progress notes', () => {
  it('erases the display on a terminal before writing a note, then draws below it', () => {
    let out = '';
    const stream = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    const writer = createProgressWriter(stream, { tty: true });
    writer.update(sample(0, 0), undefined, {});
    out = '';
    writer.note('kse run: land…');
    expect(out).toBe('\x1b[5A\r\x1b[Jkse run: land…\n');
    out = '';
    writer.update(sample(500, 10), sample(0, 0), {});
    expect(out.startsWith('\r\x1b[2Kgenerated')).toBe(true);
  });
});
