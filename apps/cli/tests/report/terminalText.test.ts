import { describe, expect, it } from 'vitest';
import { fitText, terminalColumns, wrapLine } from '../../src/report/index.js';

describe('terminal text', () => {
  it('wraps at spaces within the width, continuation lines indented', () => {
    const line =
      'kse run: KSE_TABLE_NOT_EMPTY: table OrdersEnriched holds rows: kse run does not write into it';
    const lines = wrapLine(line, 40);
    expect(lines.every((l) => l.length <= 40)).toBe(true);
    expect(lines[1]!.startsWith('  ')).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(line);
  });

  it('keeps a wrapped item under its own indentation, and cuts a word longer than a line', () => {
    const lines = wrapLine(`  mismatched 1/2: ${'x'.repeat(100)}`, 30);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith('    '))).toBe(true);
  });

  it('leaves short lines and the trailing newline alone', () => {
    expect(fitText('a b\nc\n', 80)).toBe('a b\nc\n');
  });

  it('reads the width of a terminal, and takes 80 off a terminal', () => {
    expect(terminalColumns({ isTTY: true, columns: 100 })).toBe(100);
    expect(terminalColumns({ isTTY: false, columns: 100 })).toBe(80);
    expect(terminalColumns({})).toBe(80);
  });
});
