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
    return { code, stdout: out.mock.calls.join(''), stderr: err.mock.calls.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = before;
  }
}
