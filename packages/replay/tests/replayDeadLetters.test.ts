import { KinesisClient } from '@aws-sdk/client-kinesis';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayError, replay, type DeadLetter } from '../src/index.js';

// Only bad lines: nothing reaches Kinesis, so the client is never called.
const kinesis = new KinesisClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

function badLines(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'kse-replay-dl-'));
  const path = join(dir, 'orders.json');
  writeFileSync(path, Array.from({ length: count }, (_, i) => `not json ${i}\n`).join(''));
  return path;
}

describe('replay counts dead letters only once their sink has acknowledged them', () => {
  it('a sink that refuses the second letter: 1 dead-lettered, the refused one pending, its error in the summary', async () => {
    const seen: number[] = [];
    const summary = await replay({
      sources: [badLines(3)],
      kinesis,
      streamName: 'never-called',
      speedup: Infinity,
      onDeadLetter: (letter: DeadLetter) => {
        seen.push(letter.lineNumber);
        if (letter.lineNumber === 2) {
          throw new ReplayError('KSE_REPLAY_DEAD_LETTER_WRITE_FAILED', 'sink refused', {
            path: 'sink',
          });
        }
      },
    });
    expect(seen).toEqual([1, 2]);
    expect(summary).toMatchObject({
      read: 2,
      deadLettered: 1,
      badLines: 1,
      pending: 1,
      sent: 0,
      ok: false,
    });
    expect(summary.read).toBe(summary.sent + summary.deadLettered + summary.pending);
    expect(summary.error?.code).toBe('KSE_REPLAY_DEAD_LETTER_WRITE_FAILED');
  });

  it('a dead-letter file that cannot be written stops the replay with an error naming it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kse-replay-dl-')), 'no-such-dir', 'dl.ndjson');
    const summary = await replay({
      sources: [badLines(2)],
      kinesis,
      streamName: 'never-called',
      speedup: Infinity,
      deadLetterPath: path,
    });
    expect(summary).toMatchObject({
      read: 1,
      deadLettered: 0,
      pending: 1,
      ok: false,
      deadLetterPath: null,
    });
    expect(summary.error).toMatchObject({ code: 'KSE_REPLAY_DEAD_LETTER_WRITE_FAILED', path });
    expect(summary.error?.message).toContain(path);
  });
});
