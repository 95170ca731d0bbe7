import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fileSource,
  globToRegExp,
  isObviouslyNotData,
  maybeGunzip,
  parseS3Uri,
  resolveSources,
  type ReplaySource,
} from '../src/index.js';

async function readAll(source: ReplaySource): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source.open()) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function names(specs: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const source of resolveSources(specs)) out.push(source.name);
  return out;
}

let dir: string;
const text = '{"a":1}\n{"a":2}\n';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kse-replay-sources-'));
  mkdirSync(join(dir, 'data', 'day2'), { recursive: true });
  writeFileSync(join(dir, 'data', 'b.json'), text);
  writeFileSync(join(dir, 'data', 'a.json'), text);
  writeFileSync(join(dir, 'data', 'README.md'), '# not data\n');
  writeFileSync(join(dir, 'data', '_SUCCESS'), '');
  writeFileSync(join(dir, 'data', 'day2', 'c.json.gz'), gzipSync(text));
  // Gzip without the name saying so, and a ".gz" name that is plain text.
  writeFileSync(join(dir, 'hidden-gzip.json'), gzipSync(text));
  writeFileSync(join(dir, 'plain.gz'), text);
});

afterAll(() => undefined);

describe('maybeGunzip', () => {
  it('decompresses a gzip stream by its magic bytes, even split one byte per chunk', async () => {
    const bytes = gzipSync('hello\nworld\n');
    async function* oneByteChunks(): AsyncGenerator<Uint8Array> {
      for (const byte of bytes) yield Uint8Array.of(byte);
    }
    const out: Uint8Array[] = [];
    for await (const chunk of maybeGunzip(oneByteChunks())) out.push(chunk);
    expect(Buffer.concat(out).toString()).toBe('hello\nworld\n');
  });

  it('passes plain bytes through unchanged, including an empty stream', async () => {
    async function* chunks(parts: string[]): AsyncGenerator<Uint8Array> {
      for (const part of parts) yield Buffer.from(part);
    }
    const out: Uint8Array[] = [];
    for await (const chunk of maybeGunzip(chunks(['{', '"a":1}\n']))) out.push(chunk);
    expect(Buffer.concat(out).toString()).toBe('{"a":1}\n');
    const empty: Uint8Array[] = [];
    for await (const chunk of maybeGunzip(chunks([]))) empty.push(chunk);
    expect(empty).toEqual([]);
  });

  it('reads every member of a multi-member gzip file', async () => {
    const bytes = Buffer.concat([gzipSync('one\n'), gzipSync('two\n')]);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield bytes;
    }
    const out: Uint8Array[] = [];
    for await (const chunk of maybeGunzip(chunks())) out.push(chunk);
    expect(Buffer.concat(out).toString()).toBe('one\ntwo\n');
  });
});

describe('fileSource', () => {
  it('reads a gzip file whose name does not say gzip', async () => {
    expect(await readAll(fileSource(join(dir, 'hidden-gzip.json')))).toBe(text);
  });

  it('reads a plain file whose name ends in .gz as plain text', async () => {
    expect(await readAll(fileSource(join(dir, 'plain.gz')))).toBe(text);
  });

  it('fails with KSE_REPLAY_SOURCE_READ_FAILED on a corrupt gzip file', async () => {
    const path = join(dir, 'corrupt.json.gz');
    writeFileSync(path, gzipSync(text).subarray(0, 12));
    await expect(readAll(fileSource(path))).rejects.toMatchObject({
      code: 'KSE_REPLAY_SOURCE_READ_FAILED',
      source: path,
    });
  });
});

describe('resolveSources', () => {
  it('lists a directory recursively in name order, skipping non-data files', async () => {
    expect(await names([join(dir, 'data')])).toEqual([
      join(dir, 'data', 'a.json'),
      join(dir, 'data', 'b.json'),
      join(dir, 'data', 'day2', 'c.json.gz'),
    ]);
  });

  it('expands * and ** globs in name order', async () => {
    expect(await names([join(dir, 'data', '*.json')])).toEqual([
      join(dir, 'data', 'a.json'),
      join(dir, 'data', 'b.json'),
    ]);
    expect(await names([join(dir, 'data', '**', '*.gz')])).toEqual([
      join(dir, 'data', 'day2', 'c.json.gz'),
    ]);
  });

  it('keeps a file named explicitly, even a README', async () => {
    expect(await names([join(dir, 'data', 'README.md')])).toEqual([join(dir, 'data', 'README.md')]);
  });

  it('fails with KSE_REPLAY_SOURCE_NOT_FOUND for a missing file or an empty glob', async () => {
    await expect(names([join(dir, 'nope.json')])).rejects.toMatchObject({
      code: 'KSE_REPLAY_SOURCE_NOT_FOUND',
    });
    await expect(names([join(dir, 'data', '*.csv')])).rejects.toMatchObject({
      code: 'KSE_REPLAY_SOURCE_NOT_FOUND',
    });
  });

  it('asks for an S3 client for s3:// sources', async () => {
    await expect(names(['s3://bucket/prefix/'])).rejects.toMatchObject({
      code: 'KSE_REPLAY_OPTIONS_INVALID',
      option: 's3',
    });
  });
});

describe('isObviouslyNotData', () => {
  it('skips folder markers, docs, images, hidden and marker files', () => {
    for (const key of [
      'orders/',
      'orders/README.md',
      'README',
      'LICENSE.txt',
      'x/.DS_Store',
      'x/_SUCCESS',
      'logo.png',
      'notes.md.gz',
    ]) {
      expect(isObviouslyNotData(key), key).toBe(true);
    }
  });

  it('keeps data files, compressed or not, with or without an extension', () => {
    for (const key of [
      'orders/2026/orders-0001.json',
      'orders.ndjson.gz',
      'part-00000',
      'events.txt',
      'data.jsonl',
    ]) {
      expect(isObviouslyNotData(key), key).toBe(false);
    }
  });
});

describe('globToRegExp and parseS3Uri', () => {
  it('translates *, ?, ** and {a,b}', () => {
    expect(globToRegExp('*.{json,gz}').test('a.json')).toBe(true);
    expect(globToRegExp('*.{json,gz}').test('d/a.json')).toBe(false);
    expect(globToRegExp('**/a?.json').test('x/y/ab.json')).toBe(true);
    expect(globToRegExp('**/a?.json').test('ab.json')).toBe(true);
  });

  it('splits an S3 URI into bucket and prefix', () => {
    expect(parseS3Uri('s3://bucket/orders/2026/')).toEqual({
      bucket: 'bucket',
      prefix: 'orders/2026/',
    });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3Uri('/tmp/x.json')).toBeUndefined();
  });
});
