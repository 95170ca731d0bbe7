import { describe, expect, it } from 'vitest';
import { formatSummary, parseMatrixArgs } from '../src/cli.js';

describe('parseMatrixArgs', () => {
  it('reads the lines and keeps every argument after -- for the command', () => {
    expect(
      parseMatrixArgs([
        'run',
        '--node',
        '22,24',
        '--',
        'nx',
        'run-many',
        '-t',
        'test',
        '--skip-nx-cache',
      ]),
    ).toEqual({
      kind: 'run',
      lines: ['22', '24'],
      command: 'nx',
      args: ['run-many', '-t', 'test', '--skip-nx-cache'],
    });
  });

  it('reads `which <line>`', () => {
    expect(parseMatrixArgs(['which', '24'])).toEqual({ kind: 'which', line: '24' });
  });

  it('refuses an unknown line, a run without lines or command, and unknown verbs', () => {
    expect(() => parseMatrixArgs(['run', '--node', '18', '--', 'nx'])).toThrow(/"18"/);
    expect(() => parseMatrixArgs(['which', '21'])).toThrow(/"21"/);
    expect(() => parseMatrixArgs(['run', '--', 'nx'])).toThrow(/usage/);
    expect(() => parseMatrixArgs(['run', '--node', '22'])).toThrow(/usage/);
    expect(() => parseMatrixArgs(['install', '22'])).toThrow(/usage/);
  });
});

describe('formatSummary', () => {
  it('prints one line per Node version: outcome and wall time', () => {
    const node = (version: string) => ({ line: version.split('.')[0]!, version, path: '/x' });
    expect(
      formatSummary([
        { node: node('22.23.5'), exitCode: 0, signal: null, durationMs: 612_340 },
        { node: node('24.22.3'), exitCode: 1, signal: null, durationMs: 640_000 },
        { node: node('24.22.3'), exitCode: null, signal: 'SIGTERM', durationMs: 1_000 },
      ]),
    ).toBe(
      [
        'Node 22.23.5   passed             612.3 s',
        'Node 24.22.3   failed (exit 1)    640.0 s',
        'Node 24.22.3   failed (signal SIGTERM) 1.0 s',
      ].join('\n'),
    );
  });
});
