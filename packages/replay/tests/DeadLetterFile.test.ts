import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile, type DeadLetter } from '../src/index.js';

const letter = (lineNumber: number): DeadLetter => ({
  source: 'b.json',
  lineNumber,
  code: 'KSE_REPLAY_LINE_INVALID',
  reason: 'not JSON',
  data: Buffer.from(`line ${lineNumber}`),
  size: 6,
});
const child = fileURLToPath(new URL('./support/deadLetterChild.ts', import.meta.url));

describe('DeadLetterFile', () => {
  it('writes one JSON line per record with source, line, code, reason and the data', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kse-dl-')), 'dl.ndjson');
    const file = new DeadLetterFile(path);
    await file.write({
      source: 'a.json',
      lineNumber: 7,
      code: 'KSE_REPLAY_LINE_INVALID',
      reason: 'KSE_JSON_INVALID: Unexpected token',
      data: Buffer.from('{"name":"Zoë" oops'),
      size: 19,
    });
    await file.write({
      source: 'a.json',
      lineNumber: 9,
      code: 'KSE_REPLAY_LINE_INVALID',
      reason: 'KSE_UTF8_INVALID: bytes are not valid UTF-8',
      data: Uint8Array.of(0xff, 0xfe),
      size: 2,
    });
    await file.close();
    const lines = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      source: 'a.json',
      lineNumber: 7,
      code: 'KSE_REPLAY_LINE_INVALID',
      dataEncoding: 'utf8',
      data: '{"name":"Zoë" oops',
    });
    expect(lines[1]).toMatchObject({ lineNumber: 9, dataEncoding: 'base64', data: '//4=' });
    expect(file.count).toBe(2);
  });

  it('creates no file when nothing is dead-lettered', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kse-dl-')), 'dl.ndjson');
    const file = new DeadLetterFile(path);
    await file.close();
    expect(existsSync(path)).toBe(false);
  });

  it('appends to an existing file instead of truncating it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kse-dl-')), 'dl.ndjson');
    writeFileSync(path, '{"earlier":"run"}\n');
    const file = new DeadLetterFile(path);
    await file.write(letter(1));
    await file.write(letter(2));
    await file.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toEqual({ earlier: 'run' });
    expect(lines.slice(1).map((l) => (JSON.parse(l) as { lineNumber: number }).lineNumber)).toEqual(
      [1, 2],
    );
  });

  it('counts a record only once it is written, and rejects with a typed error naming the file when it cannot be', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kse-dl-'));
    const path = join(dir, 'missing-dir', 'dl.ndjson');
    const file = new DeadLetterFile(path);
    const writing = file.write(letter(1));
    expect(file.count).toBe(0);
    await expect(writing).rejects.toMatchObject({
      code: 'KSE_REPLAY_DEAD_LETTER_WRITE_FAILED',
      path,
      message: expect.stringContaining(path) as unknown,
    });
    // Nothing is written after a failure: later writes fail the same way.
    await expect(file.write(letter(2))).rejects.toMatchObject({
      code: 'KSE_REPLAY_DEAD_LETTER_WRITE_FAILED',
    });
    expect(file.count).toBe(0);
    await file.close();
  });

  it(
    'a full disk (file-size limit, EFBIG) is a clear failure naming the file, not a hang; the torn line is cut off',
    // A safety net only: the child ends on its own; no timing is asserted.
    { timeout: 120_000 },
    async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'kse-dl-')), 'dl.ndjson');
      // SIGXFSZ ignored (inherited through exec), so the write past the limit fails with EFBIG.
      const { stdout } = await promisify(execFile)('bash', [
        '-c',
        `trap '' XFSZ; ulimit -f 64; exec "${process.execPath}" --import tsx "${child}" "${path}"`,
      ]);
      const result = JSON.parse(stdout.trim()) as Record<string, unknown>;
      expect(result).toMatchObject({
        outcome: 'error',
        code: 'KSE_REPLAY_DEAD_LETTER_WRITE_FAILED',
        path,
      });
      expect(result.message).toContain(path);
      expect(result.message).toContain('EFBIG');
      const count = result.count as number;
      expect(count).toBeGreaterThan(0);
      expect(result.attempted).toBe(count + 1);
      // Every acknowledged record is in the file, whole; nothing of the failed one.
      const text = readFileSync(path, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { lineNumber: number });
      expect(lines.map((l) => l.lineNumber)).toEqual(
        Array.from({ length: count }, (_, i) => i + 1),
      );
      expect(statSync(path).size).toBe(Buffer.byteLength(text));
    },
  );
});
