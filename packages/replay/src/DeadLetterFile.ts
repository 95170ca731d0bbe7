import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { DeadLetter } from './types.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Formats a {@link DeadLetter} as one JSON object: source, line number, error code,
 * reason, tries, partition key, size and the original data (as text when it is valid
 * UTF-8, else base64 with `dataEncoding: "base64"`).
 */
export function formatDeadLetter(letter: DeadLetter): Record<string, unknown> {
  let data: string | null = null;
  let dataEncoding: 'utf8' | 'base64' | undefined;
  if (letter.data !== null) {
    try {
      data = strictUtf8.decode(letter.data);
      dataEncoding = 'utf8';
    } catch {
      data = Buffer.from(letter.data).toString('base64');
      dataEncoding = 'base64';
    }
  }
  return {
    source: letter.source,
    lineNumber: letter.lineNumber,
    code: letter.code,
    reason: letter.reason,
    attempts: letter.attempts,
    partitionKey: letter.partitionKey,
    size: letter.size,
    dataEncoding,
    data,
  };
}

/**
 * An NDJSON dead-letter file, one {@link formatDeadLetter} line per record. Created on
 * the first record (no file when nothing was dead-lettered); writes wait for the disk
 * (back-pressure).
 */
export class DeadLetterFile {
  readonly path: string;
  #stream: WriteStream | undefined;
  #count = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Records written so far. */
  get count(): number {
    return this.#count;
  }

  /** Appends one record. */
  async write(letter: DeadLetter): Promise<void> {
    if (this.#stream === undefined) {
      this.#stream = createWriteStream(this.path, { flags: 'w' });
      this.#stream.on('error', () => undefined);
    }
    this.#count += 1;
    if (!this.#stream.write(JSON.stringify(formatDeadLetter(letter)) + '\n')) {
      await once(this.#stream, 'drain');
    }
  }

  /** Flushes and closes the file (no-op when nothing was written). */
  async close(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return;
    this.#stream = undefined;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  }
}
