import { open, type FileHandle } from 'node:fs/promises';
import { describeError } from '@kse/core';
import { ReplayError } from './errors.js';
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
 * An NDJSON dead-letter file, one {@link formatDeadLetter} line per record. Opened for
 * appending on the first record (an existing file is never truncated; no file when nothing
 * was dead-lettered). Writes go one at a time, in call order; `write` resolves once the
 * line is written to the file (the kernel has taken every byte) and only then counts it.
 *
 * A write that fails — a full disk (`ENOSPC`), a file-size limit (`EFBIG`), any I/O error —
 * rejects with `KSE_REPLAY_DEAD_LETTER_WRITE_FAILED` naming the file and the cause; the
 * torn line is cut off again where possible, and every later `write` rejects with the same
 * error (nothing is written after a gap).
 *
 * @example
 * ```ts
 * const file = new DeadLetterFile('dead-letters.ndjson');
 * await file.write(letter); // throws KSE_REPLAY_DEAD_LETTER_WRITE_FAILED on a full disk
 * await file.close();
 * ```
 */
export class DeadLetterFile {
  readonly path: string;
  #handle: Promise<FileHandle> | undefined;
  /** Bytes in the file: its size at open plus every line written since. */
  #size = 0;
  #queue: Promise<void> = Promise.resolve();
  #count = 0;
  #failure: ReplayError | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** Records written (acknowledged) so far. */
  get count(): number {
    return this.#count;
  }

  /** The error that stopped this file, if a write failed. */
  get failure(): ReplayError | undefined {
    return this.#failure;
  }

  /** Appends one record; resolves when it is written, rejects when it cannot be. */
  write(letter: DeadLetter): Promise<void> {
    const line = Buffer.from(JSON.stringify(formatDeadLetter(letter)) + '\n', 'utf8');
    const written = this.#queue.then(() => this.#append(line));
    this.#queue = written.catch(() => undefined);
    return written;
  }

  async #append(line: Buffer): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    let handle: FileHandle | undefined;
    try {
      this.#handle ??= open(this.path, 'a').then(async (opened) => {
        this.#size = (await opened.stat()).size;
        return opened;
      });
      handle = await this.#handle;
      // writeFile loops until every byte is written: a short write near the limit, then the
      // error of the next one.
      await handle.writeFile(line);
    } catch (cause) {
      if (handle !== undefined) await handle.truncate(this.#size).catch(() => undefined);
      this.#failure = new ReplayError(
        'KSE_REPLAY_DEAD_LETTER_WRITE_FAILED',
        `cannot write a dead letter to ${this.path}: ${describeError(cause)}`,
        { cause, path: this.path },
      );
      throw this.#failure;
    }
    this.#size += line.byteLength;
    this.#count += 1;
  }

  /**
   * Waits for the writes in flight, flushes the file to disk and closes it (no-op when
   * nothing was written). A failed write was reported by its `write`; `close` rejects
   * only when flushing or closing fails.
   */
  async close(): Promise<void> {
    await this.#queue;
    const opening = this.#handle;
    if (opening === undefined) return;
    this.#handle = undefined;
    const handle = await opening.catch(() => undefined);
    if (handle === undefined) return;
    try {
      if (this.#failure === undefined) await handle.datasync();
    } catch (cause) {
      throw new ReplayError(
        'KSE_REPLAY_DEAD_LETTER_WRITE_FAILED',
        `cannot flush ${this.path}: ${describeError(cause)}`,
        { cause, path: this.path },
      );
    } finally {
      await handle.close();
    }
  }
}
