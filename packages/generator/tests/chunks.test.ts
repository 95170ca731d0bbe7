import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ndjsonChunks, type ChunkStats } from '../src/chunks.js';

const lines = ['{"a":1}', '{"name":"Zoë Ångström 東京"}', 'x'.repeat(500), '{"b":2}'];

function collect(chunkBytes: number): {
  chunks: Buffer[];
  stats: ChunkStats;
  hash: string;
  calls: number;
} {
  const stats: ChunkStats = { lines: 0, bytes: 0 };
  const hash = createHash('sha256');
  let calls = 0;
  const chunks = [
    ...ndjsonChunks(
      lines,
      (line) => line,
      chunkBytes,
      stats,
      hash,
      () => (calls += 1),
    ),
  ];
  return { chunks, stats, hash: hash.digest('hex'), calls };
}

describe('ndjsonChunks', () => {
  const expected = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');

  it.each([1, 16, 100, 1024, 1 << 20])(
    'yields the same UTF-8 NDJSON for chunks of %i bytes',
    (size) => {
      const { chunks, stats, hash, calls } = collect(size);
      expect(Buffer.concat(chunks)).toEqual(expected);
      expect(stats).toEqual({ lines: 4, bytes: expected.length });
      expect(hash).toBe(createHash('sha256').update(expected).digest('hex'));
      expect(calls).toBe(chunks.length);
    },
  );

  it('never hands out a buffer it writes to again', () => {
    const { chunks } = collect(16);
    const copies = chunks.map((chunk) => Buffer.from(chunk));
    expect(chunks).toEqual(copies);
  });
});
