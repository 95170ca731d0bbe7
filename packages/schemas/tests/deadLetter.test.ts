import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_KINESIS_MAX_BYTES,
  LIMITS,
  deadLetterDataBytes,
  encodeDeadLetter,
} from '../src/index.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const decode = (bytes: Uint8Array): Record<string, unknown> =>
  JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
const origin = {
  code: 'KSE_JSON_INVALID',
  reason: 'Unexpected token',
  source: 'shardId-000000000001',
  position: '4960',
};

/** The record bytes a (possibly truncated) letter's data holds. */
const dataBytesOf = (letter: Record<string, unknown>): Buffer =>
  letter.dataEncoding === 'base64'
    ? Buffer.from(letter.data as string, 'base64')
    : Buffer.from(letter.data as string, 'utf8');

describe('encodeDeadLetter', () => {
  it('caps at one Kinesis record (1 MiB, partition key included)', () => {
    expect(DEAD_LETTER_KINESIS_MAX_BYTES).toBe(LIMITS.kinesisMaxRecordBytes);
  });

  it('keeps a letter that fits as it is', () => {
    const bytes = encodeDeadLetter({ ...origin, data: '{"a":1' }, 4096);
    expect(decode(bytes)).toEqual({ ...origin, data: '{"a":1' });
  });

  it('cuts a 1 MiB record to fit, keeping code, reason, origin, its length and SHA-256', () => {
    const record = Buffer.alloc(LIMITS.kinesisMaxRecordBytes, 'x');
    const max = DEAD_LETTER_KINESIS_MAX_BYTES - 4;
    const bytes = encodeDeadLetter({ ...origin, data: record.toString('utf8') }, max);
    expect(bytes.byteLength).toBeLessThanOrEqual(max);
    const letter = decode(bytes);
    expect(letter).toMatchObject({
      ...origin,
      dataEncoding: 'utf8',
      truncated: true,
      originalLength: record.byteLength,
      sha256: sha256(record),
    });
    const kept = dataBytesOf(letter);
    expect(kept.byteLength).toBeGreaterThan(max - 1024);
    expect(record.subarray(0, kept.byteLength).equals(kept)).toBe(true);
  });

  it('keeps invalid UTF-8 as base64 bytes and hashes the decoded bytes of a base64: string', () => {
    const record = Buffer.alloc(300_000, 0xff);
    const letter = decode(
      encodeDeadLetter({ ...origin, data: `base64:${record.toString('base64')}` }, 100_000),
    );
    expect(letter).toMatchObject({
      dataEncoding: 'base64',
      originalLength: 300_000,
      sha256: sha256(record),
    });
    const kept = dataBytesOf(letter);
    expect(record.subarray(0, kept.byteLength).equals(kept)).toBe(true);
  });

  it('always fits, stays JSON and keeps a prefix of the record (any bytes, any limit)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 20_000 }).map((s) => Buffer.from(s, 'utf8')),
          fc.uint8Array({ maxLength: 20_000 }).map((a) => Buffer.from(a)),
          fc.constantFrom('"', '\\', '\u0001', 'é', '😀').map((c) => Buffer.from(c.repeat(5000))),
        ),
        fc.integer({ min: 1024, max: 30_000 }),
        fc.boolean(),
        (record, max, asBytes) => {
          const data: unknown = asBytes
            ? new Uint8Array(record)
            : `base64:${record.toString('base64')}`;
          const bytes = encodeDeadLetter({ ...origin, data }, max);
          expect(bytes.byteLength).toBeLessThanOrEqual(max);
          const letter = decode(bytes);
          expect(letter).toMatchObject(origin);
          if (letter.truncated === true) {
            expect(letter.originalLength).toBe(record.byteLength);
            expect(letter.sha256).toBe(sha256(record));
            const kept = dataBytesOf(letter);
            expect(record.subarray(0, kept.byteLength).equals(kept)).toBe(true);
          } else {
            expect(Buffer.from(deadLetterDataBytes(letter.data)).equals(record)).toBe(true);
          }
        },
      ),
      { seed: 19, numRuns: 200 },
    );
  });

  it('cuts a reason too long to leave room for any data', () => {
    const letter = decode(
      encodeDeadLetter({ ...origin, reason: 'r'.repeat(50_000), data: 'x'.repeat(50_000) }, 10_000),
    );
    expect(letter.reason).toBe(`${'r'.repeat(4096)}…`);
    expect(letter).toMatchObject({ code: origin.code, position: origin.position, truncated: true });
  });
});
