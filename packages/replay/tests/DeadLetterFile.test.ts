import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../src/index.js';

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
});
