import { describe, expect, it, vi } from 'vitest';
import { EXIT_USAGE, runCli } from '../src/program.js';

describe('kse', () => {
  it('exits 2 on an unknown command', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await runCli(['no-such-command'])).toBe(EXIT_USAGE);
    expect(stderr.mock.calls.join('')).toMatch(/unknown command 'no-such-command'/);
    stderr.mockRestore();
  });

  it('exits 0 on --help and lists the commands', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await runCli(['--help'])).toBe(0);
    expect(stdout.mock.calls.join('')).toMatch(/run \[options\]\s+Run the whole pipeline/);
    stdout.mockRestore();
  });
});
