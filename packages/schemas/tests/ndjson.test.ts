import { describe, expect, it } from 'vitest';
import { readNdjsonLines, toNdjson, type NdjsonLine } from '../src/index.js';

async function collect(chunks: (string | Uint8Array)[], maxLineBytes?: number) {
  async function* source() {
    yield* chunks;
  }
  const out: NdjsonLine[] = [];
  for await (const line of readNdjsonLines(source(), { source: 'test.json', maxLineBytes })) {
    out.push(line);
  }
  return out;
}

const text = (line: NdjsonLine) =>
  line.ok ? Buffer.from(line.bytes).toString('utf8') : line.error.code;

describe('readNdjsonLines', () => {
  it('splits lines across chunk boundaries, including inside a multi-byte character', async () => {
    const bytes = Buffer.from('{"a":"Zoë"}\n{"b":"東京"}\n');
    const split = bytes.indexOf(0xe6); // first byte of 東
    const lines = await collect([
      bytes.subarray(0, 9),
      bytes.subarray(9, split + 1),
      bytes.subarray(split + 1),
    ]);
    expect(lines.map(text)).toEqual(['{"a":"Zoë"}', '{"b":"東京"}']);
    expect(lines.map((line) => line.lineNumber)).toEqual([1, 2]);
  });

  it('removes CR of CRLF, skips blank lines but counts them, and keeps a last line without newline', async () => {
    const lines = await collect(['{"a":1}\r\n\n\n{"a":2}\n{"a":3}']);
    expect(lines.map(text)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(lines.map((line) => line.lineNumber)).toEqual([1, 4, 5]);
  });

  it('reports an over-long line without buffering it and carries on', async () => {
    const long = 'x'.repeat(50);
    const lines = await collect(
      ['{"a":1}\n', long.slice(0, 20), long.slice(20), '\n{"a":2}\n'],
      16,
    );
    expect(lines.map(text)).toEqual(['{"a":1}', 'KSE_RECORD_TOO_LARGE', '{"a":2}']);
    const failed = lines[1]!;
    expect(failed.ok || [failed.error.position, failed.error.source]).toEqual([2, 'test.json']);
    expect(failed.ok || failed.error.reason).toBe('line is 50 bytes; limit 16');
  });

  it('reports an over-long line that arrives in one chunk', async () => {
    const lines = await collect([`${'y'.repeat(40)}\n{"a":2}\n`], 16);
    expect(lines.map(text)).toEqual(['KSE_RECORD_TOO_LARGE', '{"a":2}']);
  });

  it('does not alias a chunk buffer that the producer reuses', async () => {
    const buffer = Buffer.from('{"a":1');
    async function* reused() {
      yield buffer;
      buffer.write('XXXXXX');
      yield Buffer.from('}\n');
    }
    const out: string[] = [];
    for await (const line of readNdjsonLines(reused())) out.push(text(line));
    expect(out).toEqual(['{"a":1}']);
  });
});

describe('toNdjson', () => {
  it('writes one JSON document per line', () => {
    expect(toNdjson([{ a: 1 }, { b: 'ü' }])).toBe('{"a":1}\n{"b":"ü"}\n');
  });
});
