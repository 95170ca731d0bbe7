import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUNDLE_ENTRY, zipBundle } from '../scripts/zipBundle.js';

const code = Buffer.from(
  'export const handler = async () => ({ batchItemFailures: [] });\n'.repeat(50),
);

/**
 * The "made by" system and Unix mode of the archive's first entry, from its central-directory
 * record (what unzip tools, Lambda's included, apply on extraction). fflate's reader does not
 * expose them; the archive has no comment, so the end record is its last 22 bytes.
 */
function firstEntryOrigin(zip: Uint8Array): { os: number; mode: number } {
  const bytes = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const directory = bytes.readUInt32LE(bytes.length - 22 + 16);
  return { os: bytes[directory + 5]!, mode: bytes.readUInt32LE(directory + 38) >>> 16 };
}

const chunk = Buffer.from('export const tracer = 1;\n'.repeat(20));

describe('zipBundle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds index.mjs alone, byte for byte, deflated', () => {
    const zip = zipBundle({ [BUNDLE_ENTRY]: code });
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual([BUNDLE_ENTRY]);
    expect(Buffer.from(entries[BUNDLE_ENTRY]!).equals(code)).toBe(true);
    expect(zip.length).toBeLessThan(code.length);
  });

  it('holds every file of a split bundle, in name order, byte for byte', () => {
    const entries = unzipSync(zipBundle({ [BUNDLE_ENTRY]: code, 'chunk-A1.mjs': chunk }));
    expect(Object.keys(entries)).toEqual(['chunk-A1.mjs', BUNDLE_ENTRY]);
    expect(Buffer.from(entries[BUNDLE_ENTRY]!).equals(code)).toBe(true);
    expect(Buffer.from(entries['chunk-A1.mjs']!).equals(chunk)).toBe(true);
  });

  it('refuses a bundle without index.mjs', () => {
    expect(() => zipBundle({ 'chunk-A1.mjs': chunk })).toThrow(/needs index\.mjs/);
  });

  it('records a Unix regular file with permissions 0644', () => {
    expect(firstEntryOrigin(zipBundle({ [BUNDLE_ENTRY]: code }))).toEqual({
      os: 3,
      mode: 0o100644,
    });
  });

  it('writes the same bytes for the same files whatever the clock says or the order they come in', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2001-02-03T04:05:06Z'));
    const first = zipBundle({ [BUNDLE_ENTRY]: code, 'chunk-A1.mjs': chunk });
    vi.setSystemTime(new Date('2031-12-30T23:59:58Z'));
    expect(
      Buffer.from(zipBundle({ 'chunk-A1.mjs': chunk, [BUNDLE_ENTRY]: code })).equals(
        Buffer.from(first),
      ),
    ).toBe(true);
  });
});
