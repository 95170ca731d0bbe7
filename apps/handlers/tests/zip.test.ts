import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createZip } from '../scripts/zip.js';

interface ReadEntry {
  name: string;
  data: Buffer;
  mode: number;
  method: number;
}

/** Reads an archive through its central directory, as unzip tools do, checking each CRC. */
function readZip(zip: Buffer): ReadEntry[] {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(zip.readUInt32LE(localOffset)).toBe(0x04034b50);
    const dataStart =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const body = zip.subarray(dataStart, dataStart + compressedSize);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(data)).toBe(crc);
    entries.push({ name, data, mode, method });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('createZip', () => {
  it('round-trips entries through the central directory with valid CRCs', () => {
    const code = Buffer.from(
      'export const handler = async () => ({ batchItemFailures: [] });\n'.repeat(50),
    );
    const entries = readZip(createZip([{ name: 'index.mjs', data: code }]));
    expect(entries).toHaveLength(1);
    expect(entries[0]!.name).toBe('index.mjs');
    expect(entries[0]!.data.equals(code)).toBe(true);
    expect(entries[0]!.method).toBe(8);
  });

  it('records regular-file permissions 0644 by default', () => {
    const [entry] = readZip(createZip([{ name: 'index.mjs', data: Buffer.from('x') }]));
    expect(entry!.mode).toBe(0o100644);
  });

  it('stores incompressible data instead of inflating it', () => {
    const random = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 197 + 89) % 256));
    const [entry] = readZip(createZip([{ name: 'noise.bin', data: random }]));
    expect(entry!.method).toBe(0);
    expect(entry!.data.equals(random)).toBe(true);
  });

  it('writes the same bytes for the same input (fixed timestamps)', () => {
    const input = [{ name: 'index.mjs', data: Buffer.from('same') }];
    expect(createZip(input).equals(createZip(input))).toBe(true);
  });

  it('keeps several entries and UTF-8 names in order', () => {
    const entries = readZip(
      createZip([
        { name: 'a/índice.mjs', data: Buffer.from('ä') },
        { name: 'b.txt', data: Buffer.from('b') },
      ]),
    );
    expect(entries.map((e) => [e.name, e.data.toString('utf8')])).toEqual([
      ['a/índice.mjs', 'ä'],
      ['b.txt', 'b'],
    ]);
  });
});
