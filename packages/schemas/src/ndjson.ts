import { LIMITS } from './constants.js';
import { SchemaError } from './errors.js';

/** One line read by {@link readNdjsonLines}: its bytes, or why it could not be read. */
export type NdjsonLine =
  | { ok: true; lineNumber: number; bytes: Uint8Array }
  | { ok: false; lineNumber: number; error: SchemaError };

/** Options of {@link readNdjsonLines}. */
export interface ReadNdjsonOptions {
  /** Named on errors: a file name or S3 URI. */
  source?: string;
  /** Longest line kept; a longer one is skipped and reported. Default 1 MiB. */
  maxLineBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a stream of bytes into NDJSON lines without holding more than one line (plus a
 * chunk) in memory. Line numbers start at 1 and count blank lines, which are not yielded.
 * A trailing `\r` is removed. A line longer than `maxLineBytes` is not buffered: it is
 * yielded as `{ ok: false, error }` with `KSE_RECORD_TOO_LARGE`. Bytes are not decoded
 * here, so invalid UTF-8 is reported by the decoder per line, not for the whole stream.
 *
 * @example
 * ```ts
 * for await (const line of readNdjsonLines(fs.createReadStream('orders.json'), { source: 'orders.json' })) {
 *   if (line.ok) send(line.bytes); else deadLetter(line.error);
 * }
 * ```
 */
export async function* readNdjsonLines(
  chunks: AsyncIterable<Uint8Array | string>,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<NdjsonLine> {
  const maxLineBytes = options.maxLineBytes ?? LIMITS.kinesisMaxRecordBytes;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowing = false;
  let lineNumber = 0;

  const finish = (tail: Buffer): NdjsonLine | undefined => {
    lineNumber += 1;
    if (overflowing) {
      const size = pendingBytes + tail.length;
      pending = [];
      pendingBytes = 0;
      overflowing = false;
      return {
        ok: false,
        lineNumber,
        error: new SchemaError(
          'KSE_RECORD_TOO_LARGE',
          `line is ${size} bytes; limit ${maxLineBytes}`,
          { source: options.source, position: lineNumber },
        ),
      };
    }
    let line = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) {
      line = line.subarray(0, line.length - 1);
    }
    if (line.length === 0) return undefined;
    if (line.length > maxLineBytes) {
      return {
        ok: false,
        lineNumber,
        error: new SchemaError(
          'KSE_RECORD_TOO_LARGE',
          `line is ${line.length} bytes; limit ${maxLineBytes}`,
          { source: options.source, position: lineNumber },
        ),
      };
    }
    return { ok: true, lineNumber, bytes: line };
  };

  for await (const raw of chunks) {
    const chunk =
      typeof raw === 'string'
        ? Buffer.from(raw, 'utf8')
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) break;
      const line = finish(chunk.subarray(start, end));
      if (line !== undefined) yield line;
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (overflowing || pendingBytes + rest.length > maxLineBytes + 1) {
        // Too long to keep: remember only its size until its newline comes.
        overflowing = true;
        pendingBytes += rest.length;
        pending = [];
      } else {
        // Copy: the caller's chunk buffer may be reused after this iteration.
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
  }
  if (pendingBytes > 0 || overflowing) {
    const line = finish(Buffer.alloc(0));
    if (line !== undefined) yield line;
  }
}

/** Formats values as NDJSON text: one JSON document per line, each ending in `\n`. */
export function toNdjson(values: Iterable<unknown>): string {
  let out = '';
  for (const value of values) out += JSON.stringify(value) + '\n';
  return out;
}
