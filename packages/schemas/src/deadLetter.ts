import { createHash } from 'node:crypto';
import { LIMITS } from './constants.js';

/**
 * Largest encoded dead letter kse sends to a Kinesis dead-letter stream: one Kinesis
 * record (1 MiB), which counts the partition key too, so a dead letter's JSON gets
 * `DEAD_LETTER_KINESIS_MAX_BYTES - partitionKeyBytes`. (SQS and SNS hold 256 KiB, but
 * kse sends no dead letter there: the event source mapping's on-failure destinations
 * receive Lambda's batch metadata, not records.)
 *
 * @example
 * ```ts
 * const bytes = encodeDeadLetter(letter, DEAD_LETTER_KINESIS_MAX_BYTES - Buffer.byteLength(key));
 * ```
 */
export const DEAD_LETTER_KINESIS_MAX_BYTES = LIMITS.kinesisMaxRecordBytes;

/**
 * Longest `reason` kept when a dead letter has to be capped; a longer reason is cut and
 * ends with `…`.
 */
export const DEAD_LETTER_MAX_REASON_CHARS = 4096;

/**
 * The fields a capped dead letter adds in place of its full `data`.
 *
 * @example
 * ```ts
 * if (letter.truncated) verify(sha256(original) === letter.sha256 && original.length === letter.originalLength);
 * ```
 */
export interface DeadLetterTruncation {
  /** The first bytes of the record: text (`utf8`) or `base64`, as `dataEncoding` says. */
  data: string;
  dataEncoding: 'utf8' | 'base64';
  truncated: true;
  /** Length of the full record in bytes. */
  originalLength: number;
  /** SHA-256 of the full record's bytes, lowercase hex. */
  sha256: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
const BASE64_PREFIX = 'base64:';

/**
 * The record bytes a dead letter's `data` stands for: bytes as they are, a `base64:…`
 * string decoded, any other string as UTF-8, anything else as its JSON.
 */
export function deadLetterDataBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') {
    return data.startsWith(BASE64_PREFIX)
      ? Buffer.from(data.slice(BASE64_PREFIX.length), 'base64')
      : encoder.encode(data);
  }
  return encoder.encode(JSON.stringify(data) ?? 'null');
}

/**
 * Encodes a dead letter (any JSON object with an optional `data`) as UTF-8 JSON of at most
 * `maxBytes`, so that it can always be sent. When the whole letter fits it is encoded as it
 * is (`Uint8Array` data as text, or `base64:…` when it is not valid UTF-8). When it does not,
 * `data` is replaced by the record's first bytes (cut on a character boundary), with
 * `dataEncoding`, `truncated: true`, `originalLength` and `sha256` of the full bytes; every
 * other field (code, reason, origin) is kept, the reason cut to
 * {@link DEAD_LETTER_MAX_REASON_CHARS} if it alone would not fit.
 *
 * @example
 * ```ts
 * const bytes = encodeDeadLetter({ code: 'KSE_JSON_INVALID', reason, source, position, data: record }, 1024 * 1024 - 56);
 * ```
 */
export function encodeDeadLetter(
  letter: Readonly<Record<string, unknown>> & { data?: unknown },
  maxBytes: number,
): Uint8Array {
  if (!(Number.isInteger(maxBytes) && maxBytes >= 1024)) {
    throw new RangeError(`maxBytes is ${maxBytes}; expected an integer ≥ 1024`);
  }
  const plain =
    letter.data instanceof Uint8Array ? { ...letter, data: bytesAsText(letter.data) } : letter;
  const whole = encoder.encode(JSON.stringify(plain));
  if (whole.byteLength <= maxBytes) return whole;

  const original = deadLetterDataBytes(letter.data);
  const text = isUtf8(original);
  const shell: Record<string, unknown> & DeadLetterTruncation = {
    ...letter,
    data: '',
    dataEncoding: text ? 'utf8' : 'base64',
    truncated: true,
    originalLength: original.byteLength,
    sha256: createHash('sha256').update(original).digest('hex'),
  };
  let shellBytes = encoder.encode(JSON.stringify(shell)).byteLength;
  if (shellBytes > maxBytes / 2 && typeof shell.reason === 'string') {
    shell.reason = `${shell.reason.slice(0, DEAD_LETTER_MAX_REASON_CHARS)}…`;
    shellBytes = encoder.encode(JSON.stringify(shell)).byteLength;
  }
  const budget = maxBytes - shellBytes;
  if (budget < 0) {
    throw new RangeError(
      `a dead letter without its data is ${shellBytes} bytes; limit ${maxBytes}`,
    );
  }
  // Shrink the prefix until its JSON string fits: escapes (\", \\, \uXXXX) can make text
  // longer than its bytes, base64 is 4/3 of them.
  let length = Math.min(original.byteLength, text ? budget : Math.floor((budget * 3) / 4));
  for (;;) {
    const data = prefixAsString(original, length, text);
    const size = encoder.encode(JSON.stringify(data)).byteLength - 2; // the quotes are in shell
    if (size <= budget) return encoder.encode(JSON.stringify({ ...shell, data }));
    length = Math.max(0, Math.min(length - 1, Math.floor((length * budget) / size) - 4));
  }
}

function bytesAsText(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return BASE64_PREFIX + Buffer.from(bytes).toString('base64');
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The first `length` bytes (backed off to a UTF-8 character boundary for text) as a string. */
function prefixAsString(bytes: Uint8Array, length: number, text: boolean): string {
  if (!text) return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('base64');
  let end = length;
  // A continuation byte (10xxxxxx) at `end` means a character straddles the cut.
  while (end > 0 && end < bytes.byteLength && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return strictUtf8.decode(bytes.subarray(0, end));
}
