import { vi } from 'vitest';
import { runCli } from '../../src/program.js';

/** Runs `kse …` in-process and returns its exit code and what it wrote to stdout and stderr. */
export async function kse(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const before = process.exitCode;
  try {
    const code = await runCli(argv);
    // The first argument of each write (a later one may be a callback).
    const text = (calls: unknown[][]): string => calls.map((call) => String(call[0])).join('');
    return { code, stdout: text(out.mock.calls), stderr: text(err.mock.calls) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = before;
  }
}
