import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { ReplayError } from './errors.js';

/** One input of a replay: a name for errors and dead letters, and its (decompressed) bytes. */
export interface ReplaySource {
  /** A file path or an `s3://bucket/key` URI. */
  name: string;
  /** Opens the source; gzip is detected by its magic bytes and decompressed. */
  open(signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/** Options of {@link resolveSources}. */
export interface ResolveSourcesOptions {
  /** Client for `s3://` sources; required only when one is given. */
  s3?: S3Client;
}

const READ_CHUNK_BYTES = 256 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Decompresses a byte stream when it starts with the gzip magic bytes (`1f 8b`), whatever
 * its name; passes it through unchanged otherwise. Multi-member gzip files are read whole.
 */
export async function* maybeGunzip(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.byteLength;
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  const first = head.length === 0 ? new Uint8Array(0) : Buffer.concat(head);
  const gzipped = first.byteLength >= 2 && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  if (!gzipped) {
    yield* rest();
    return;
  }
  const input = Readable.from(rest(), { objectMode: false });
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

/** A local file as a {@link ReplaySource}; gzip by magic bytes. */
export function fileSource(path: string): ReplaySource {
  return {
    name: path,
    open: (signal) =>
      wrapRead(
        path,
        maybeGunzip(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES, signal })),
      ),
  };
}

/** One S3 object as a {@link ReplaySource}, streamed with GetObject; gzip by magic bytes. */
export function s3ObjectSource(s3: S3Client, bucket: string, key: string): ReplaySource {
  const name = `s3://${bucket}/${key}`;
  return {
    name,
    open: (signal) => {
      async function* body(): AsyncGenerator<Uint8Array> {
        const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
          abortSignal: signal,
        });
        if (response.Body === undefined) return;
        yield* response.Body as AsyncIterable<Uint8Array>;
      }
      return wrapRead(name, maybeGunzip(body()));
    },
  };
}

async function* wrapRead(
  name: string,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (cause) {
    if ((cause as Error).name === 'AbortError') throw cause;
    throw new ReplayError('KSE_REPLAY_SOURCE_READ_FAILED', (cause as Error).message, {
      source: name,
      cause,
      retryable: false,
    });
  }
}

const NOT_DATA_BASENAMES = /^(readme|license|licence|changelog|notice|manifest)(\.[^.]*)?$/i;
const NOT_DATA_EXTENSIONS = new Set([
  'md',
  'markdown',
  'rst',
  'html',
  'htm',
  'pdf',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'ico',
  'yaml',
  'yml',
  'xml',
  'csv',
  'parquet',
  'avro',
  'zip',
  'sh',
  'py',
  'js',
  'ts',
]);

/**
 * True for names that are obviously not NDJSON data and are skipped when listing a
 * prefix, a directory or a glob: folder markers (`…/`), hidden and marker files
 * (`.DS_Store`, `_SUCCESS`), `README`, `LICENSE`…, and documentation, image, code and
 * other-format extensions (`.md`, `.png`, `.csv`, …). A file named explicitly is never
 * skipped.
 */
export function isObviouslyNotData(key: string): boolean {
  if (key.endsWith('/')) return true;
  const base = key.slice(key.lastIndexOf('/') + 1);
  if (base === '' || base.startsWith('.') || base.startsWith('_')) return true;
  if (NOT_DATA_BASENAMES.test(base)) return true;
  const withoutGz = base.replace(/\.gz$/i, '');
  const dot = withoutGz.lastIndexOf('.');
  return dot > 0 && NOT_DATA_EXTENSIONS.has(withoutGz.slice(dot + 1).toLowerCase());
}

/** Parses `s3://bucket/prefix` into its parts, or undefined for anything else. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (match === null) return undefined;
  return { bucket: match[1]!, prefix: match[2] ?? '' };
}

/**
 * Every object under an S3 prefix, in key order (S3 lists keys in ascending UTF-8 order;
 * pages are followed lazily, so a huge prefix is never listed into memory at once),
 * skipping empty objects and {@link isObviouslyNotData} keys. `pageSize` sets the keys
 * per ListObjectsV2 page (default: S3's 1,000).
 */
export async function* listS3Sources(
  s3: S3Client,
  bucket: string,
  prefix: string,
  options: { pageSize?: number } = {},
): AsyncGenerator<ReplaySource> {
  let found = 0;
  try {
    const paginator = paginateListObjectsV2(
      { client: s3, ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) },
      { Bucket: bucket, Prefix: prefix },
    );
    for await (const page of paginator) {
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (key === undefined || object.Size === 0 || isObviouslyNotData(key)) continue;
        found += 1;
        yield s3ObjectSource(s3, bucket, key);
      }
    }
  } catch (cause) {
    if (cause instanceof ReplayError) throw cause;
    throw new ReplayError(
      'KSE_REPLAY_SOURCE_NOT_FOUND',
      `cannot list: ${(cause as Error).message}`,
      {
        source: `s3://${bucket}/${prefix}`,
        cause,
      },
    );
  }
  if (found === 0) {
    throw new ReplayError('KSE_REPLAY_SOURCE_NOT_FOUND', 'no data objects under this prefix', {
      source: `s3://${bucket}/${prefix}`,
    });
  }
}

const GLOB_CHARS = /[*?[{]/;

/** Converts a glob (`*`, `?`, `**`, `[abc]`, `{a,b}`) over `/`-separated paths to a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        out +=
          '[' +
          glob
            .slice(i + 1, end)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\') +
          ']';
        i = end;
      }
    } else if (c === '{') {
      braces += 1;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces -= 1;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

async function expandLocal(spec: string): Promise<string[]> {
  const normalized = spec.split(sep).join('/');
  if (!GLOB_CHARS.test(normalized)) {
    let info;
    try {
      info = await stat(spec);
    } catch (cause) {
      throw new ReplayError('KSE_REPLAY_SOURCE_NOT_FOUND', 'no such file or directory', {
        source: spec,
        cause,
      });
    }
    if (info.isFile()) return [spec];
    const files: string[] = [];
    for await (const path of walk(spec)) {
      if (!isObviouslyNotData(relative(spec, path).split(sep).join('/'))) files.push(path);
    }
    return files;
  }
  const segments = normalized.split('/');
  const firstGlob = segments.findIndex((segment) => GLOB_CHARS.test(segment));
  const baseSegments = segments.slice(0, firstGlob);
  const base = baseSegments.length === 0 ? '.' : baseSegments.join('/') || '/';
  const pattern = globToRegExp(segments.slice(firstGlob).join('/'));
  const files: string[] = [];
  try {
    for await (const path of walk(resolve(base))) {
      const rel = relative(resolve(base), path).split(sep).join('/');
      if (pattern.test(rel) && !isObviouslyNotData(rel)) {
        files.push(baseSegments.length === 0 ? rel : posix.join(base, rel));
      }
    }
  } catch (cause) {
    throw new ReplayError('KSE_REPLAY_SOURCE_NOT_FOUND', (cause as Error).message, {
      source: spec,
      cause,
    });
  }
  return files;
}

/**
 * Turns source specifications into {@link ReplaySource}s, in order: `s3://bucket/prefix`
 * (every object under the prefix, in key order), a file, a directory (its files,
 * recursively, in name order) or a glob (`data/*.json.gz`, `data/**\/orders-*`). A spec
 * that matches nothing fails with `KSE_REPLAY_SOURCE_NOT_FOUND` when it is reached.
 *
 * @example
 * ```ts
 * for await (const source of resolveSources(['s3://my-bucket/orders/', 'extra/*.json'], { s3 })) {
 *   console.log(source.name);
 * }
 * ```
 */
export async function* resolveSources(
  specs: Iterable<string | ReplaySource>,
  options: ResolveSourcesOptions = {},
): AsyncGenerator<ReplaySource> {
  for (const spec of specs) {
    if (typeof spec !== 'string') {
      yield spec;
      continue;
    }
    const s3Uri = parseS3Uri(spec);
    if (s3Uri !== undefined) {
      if (options.s3 === undefined) {
        throw new ReplayError('KSE_REPLAY_OPTIONS_INVALID', `an S3 client is needed for ${spec}`, {
          option: 's3',
        });
      }
      yield* listS3Sources(options.s3, s3Uri.bucket, s3Uri.prefix);
      continue;
    }
    const files = await expandLocal(spec);
    if (files.length === 0) {
      throw new ReplayError('KSE_REPLAY_SOURCE_NOT_FOUND', 'matched no data files', {
        source: spec,
      });
    }
    for (const file of files) yield fileSource(file);
  }
}
