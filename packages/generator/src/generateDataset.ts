import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DATASET_PARTS,
  DEFAULT_DATASET_OPTIONS,
  DMS_GENERATED_OPERATIONS,
  FILE_NAMES,
  OUTPUT_FORMATS,
  type DatasetPart,
  type DmsGeneratedOperation,
  type OutputFormat,
} from './constants.js';
import { ChunkPool, ndjsonChunks, type ChunkStats } from './chunks.js';
import { toDmsRecord } from './dms.js';
import { GeneratorError, isGeneratorError } from './errors.js';
import { resolveGeneratorOptions, type GeneratorOptions } from './options.js';
import { generateOrders, generateProducts, orderLinesOf, type OrderRecord } from './records.js';
import { productLine } from './serialize.js';
import { isS3Uri, parseS3Uri, uploadStreamToS3 } from './s3.js';

/** Progress of {@link generateDataset}, reported after every chunk written. */
export interface GenerateProgress {
  /** The file being written. */
  part: DatasetPart;
  /** Lines of this part produced so far. */
  lines: number;
  /** Lines this part will have in all. */
  totalLines: number;
  /** Uncompressed bytes of this part produced so far. */
  bytes: number;
}

/** Options of {@link generateDataset}: the generator's, plus where and how to write. */
export interface GenerateDatasetOptions extends Partial<GeneratorOptions> {
  /**
   * A local directory (created if missing) or `s3://bucket/prefix/`. Files are
   * `products.json` and `orders.json` (`.gz` added with `gzip`). Exactly one of `outDir`
   * and `stream` is required.
   */
  outDir?: string;
  /** A writable stream (e.g. stdout) for one part; needs `only`. The stream is ended. */
  stream?: Writable;
  /** Generate one part only. Default: both. */
  only?: DatasetPart;
  /** Gzip the output. Default false. */
  gzip?: boolean;
  /** `json` (kse records, default) or `dms` (orders as AWS DMS Kinesis-target records). */
  format?: OutputFormat;
  /** DMS `metadata.operation`: `load` (default) or `insert`. */
  dmsOperation?: DmsGeneratedOperation;
  /** DMS `metadata.schema-name`. Default `"sales"`. */
  dmsSchemaName?: string;
  /** S3 client, required when `outDir` is an `s3://` URI. */
  s3Client?: S3Client;
  /** Compute the SHA-256 of each part's NDJSON (uncompressed). Default true. */
  hash?: boolean;
  /** Size of each write, in characters of NDJSON. Default 256 KiB. */
  chunkBytes?: number;
  /** Called after each chunk (e.g. to draw a progress bar). */
  onProgress?: (progress: GenerateProgress) => void;
  /** Stops generation; partial output is removed. */
  signal?: AbortSignal;
}

/** What {@link generateDataset} wrote. */
export interface GenerateDatasetResult {
  /** Path or `s3://` URI of each part written. */
  files: { products?: string; orders?: string };
  /** Records written: `lines` = products + orders + items. */
  counts: { products: number; orders: number; items: number; lines: number };
  /** Uncompressed NDJSON bytes of each part. */
  bytes: { products: number; orders: number };
  /**
   * Hex SHA-256 of each part's uncompressed NDJSON (absent with `hash: false`). Same
   * options ⇒ same hashes, on any machine. (Gzip bytes also depend on the zlib build.)
   */
  sha256?: { products?: string; orders?: string };
}

interface Destination {
  /** Where the finished part is. */
  target: string;
  /** Writes the chunks; removes everything it wrote if `write` fails. */
  write(chunks: Generator<Buffer>): Promise<void>;
  /** Set when the destination hands chunk buffers back for reuse. */
  pool?: ChunkPool;
  /** Makes a written part visible under its final name. */
  commit(): Promise<void>;
  /** Removes a written but uncommitted part. */
  discard(): Promise<void>;
}

function invalid(option: string, message: string): GeneratorError {
  return new GeneratorError('KSE_GENERATOR_OPTION_INVALID', message, { option });
}

/** `option` is set when the output was unusable from the start (a usage error). */
function outputFailed(target: string, cause: unknown, option?: string): GeneratorError {
  const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
  return new GeneratorError('KSE_GENERATOR_OUTPUT_FAILED', `cannot write ${target}: ${reason}`, {
    cause,
    target,
    ...(option === undefined ? {} : { option }),
  });
}

async function fileDestination(
  dir: string,
  name: string,
  gzip: boolean,
  chunkBytes: number,
): Promise<Destination> {
  const target = join(dir, name);
  // Written under a temporary name and renamed on success: a file under its final name
  // is always complete.
  const temporary = join(dir, `.${name}.${randomUUID()}.partial`);
  let file: FileHandle;
  try {
    file = await open(temporary, 'wx');
  } catch (cause) {
    throw outputFailed(target, cause, 'outDir');
  }
  const pool = gzip ? undefined : new ChunkPool();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await file.close();
  };
  return {
    target,
    ...(pool === undefined ? {} : { pool }),
    async write(chunks) {
      try {
        if (pool === undefined) {
          await pipeline(
            bytesOf(chunks, chunkBytes),
            createGzip(),
            async (compressed: AsyncIterable<Buffer>) => {
              for await (const chunk of compressed) await writeAll(file, chunk);
            },
          );
        } else {
          // Double buffering: chunk n is written (libuv thread pool) while chunk n + 1 is
          // generated; then n's buffer goes back to the pool. Back-pressure by construction.
          let inFlight: { chunk: Buffer; done: Promise<void> } | undefined;
          try {
            for (const chunk of chunks) {
              if (inFlight !== undefined) {
                await inFlight.done;
                pool.release(inFlight.chunk);
              }
              inFlight = { chunk, done: writeAll(file, chunk) };
            }
            if (inFlight !== undefined) await inFlight.done;
          } catch (error) {
            await inFlight?.done.catch(() => undefined);
            throw error;
          }
        }
        await close();
      } catch (cause) {
        await close().catch(() => undefined);
        await rm(temporary, { force: true });
        throw cause;
      }
    },
    async commit() {
      try {
        await rename(temporary, target);
      } catch (cause) {
        await rm(temporary, { force: true });
        throw outputFailed(target, cause);
      }
    },
    async discard() {
      await close().catch(() => undefined);
      await rm(temporary, { force: true });
    },
  };
}

async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** Chunks as a byte stream, buffering about four chunks ahead (bounded memory). */
function bytesOf(chunks: Generator<Buffer>, chunkBytes: number): Readable {
  return Readable.from(chunks, { objectMode: false, highWaterMark: 4 * chunkBytes });
}

function streamDestination(stream: Writable, gzip: boolean, chunkBytes: number): Destination {
  return {
    target: '-',
    async write(chunks) {
      const source = bytesOf(chunks, chunkBytes);
      await (gzip ? pipeline(source, createGzip(), stream) : pipeline(source, stream));
    },
    commit: async () => undefined,
    discard: async () => undefined,
  };
}

function s3Destination(
  client: S3Client,
  uri: string,
  name: string,
  gzip: boolean,
  chunkBytes: number,
  signal: AbortSignal | undefined,
): Destination {
  const { bucket, prefix } = parseS3Uri(uri);
  const key = `${prefix}${name}`;
  return {
    target: `s3://${bucket}/${key}`,
    async write(chunks) {
      const source = bytesOf(chunks, chunkBytes);
      const bytes = gzip ? source.pipe(createGzip()) : source;
      await uploadStreamToS3(bytes, {
        client,
        bucket,
        key,
        contentType: gzip ? 'application/gzip' : 'application/x-ndjson',
        signal,
      });
    },
    // A multipart upload only creates its object when it completes.
    commit: async () => undefined,
    discard: async () => undefined,
  };
}

/**
 * Generates the dataset — `products.json` and `orders.json` (each order line followed by
 * its item lines) — and streams it to a directory, an S3 prefix or a stream, with
 * back-pressure and bounded memory. Same options ⇒ byte-identical files.
 *
 * Local files appear under their final names only when every part is complete. Bad
 * options throw `KSE_GENERATOR_OPTION_INVALID` before anything is written; an unwritable
 * directory throws `KSE_GENERATOR_OUTPUT_FAILED`.
 *
 * @example
 * ```ts
 * const result = await generateDataset({ outDir: 'data', orders: 500_000, seed: 'demo' });
 * console.log(result.files.orders, result.counts.lines, result.sha256?.orders);
 * ```
 */
export async function generateDataset(
  options: GenerateDatasetOptions,
): Promise<GenerateDatasetResult> {
  const opts = { ...DEFAULT_DATASET_OPTIONS, ...definedOnly(options) };
  const only = options.only;
  if (only !== undefined && !(DATASET_PARTS as readonly string[]).includes(only)) {
    throw invalid('only', `must be one of ${DATASET_PARTS.join(', ')}, got ${String(only)}`);
  }
  if (!(OUTPUT_FORMATS as readonly string[]).includes(opts.format)) {
    throw invalid(
      'format',
      `must be one of ${OUTPUT_FORMATS.join(', ')}, got ${String(opts.format)}`,
    );
  }
  if (!(DMS_GENERATED_OPERATIONS as readonly string[]).includes(opts.dmsOperation)) {
    throw invalid(
      'dmsOperation',
      `must be one of ${DMS_GENERATED_OPERATIONS.join(', ')}, got ${String(opts.dmsOperation)}`,
    );
  }
  if (!Number.isSafeInteger(opts.chunkBytes) || opts.chunkBytes < 1) {
    throw invalid('chunkBytes', `must be an integer ≥ 1, got ${String(opts.chunkBytes)}`);
  }
  const parts: DatasetPart[] = only === undefined ? [...DATASET_PARTS] : [only];
  // Products alone need no valid order options (the sample's `-launchType products`).
  const generatorOptions = resolveGeneratorOptions(
    only === 'products' ? { ...options, orders: 0 } : options,
  );
  if ((options.outDir === undefined) === (options.stream === undefined)) {
    throw invalid('outDir', 'give exactly one of outDir and stream');
  }
  if (options.stream !== undefined && only === undefined) {
    throw invalid('only', 'writing to a stream needs only: "products" or "orders"');
  }
  const outDir = options.outDir;
  const toS3 = outDir !== undefined && isS3Uri(outDir);
  if (toS3) {
    parseS3Uri(outDir);
    if (options.s3Client === undefined) throw invalid('s3Client', `required to write to ${outDir}`);
  }
  const gzip = opts.gzip === true;
  const suffix = gzip ? '.gz' : '';

  // Open every destination before generating anything: an unwritable directory fails
  // at once, not after minutes of work.
  const destinations = new Map<DatasetPart, Destination>();
  try {
    if (outDir !== undefined && !toS3) {
      try {
        await mkdir(outDir, { recursive: true });
      } catch (cause) {
        throw outputFailed(outDir, cause, 'outDir');
      }
    }
    for (const part of parts) {
      const name = FILE_NAMES[part] + suffix;
      const destination =
        options.stream !== undefined
          ? streamDestination(options.stream, gzip, opts.chunkBytes)
          : toS3
            ? s3Destination(options.s3Client!, outDir!, name, gzip, opts.chunkBytes, options.signal)
            : await fileDestination(outDir!, name, gzip, opts.chunkBytes);
      destinations.set(part, destination);
    }

    const result: GenerateDatasetResult = {
      files: {},
      counts: { products: 0, orders: 0, items: 0, lines: 0 },
      bytes: { products: 0, orders: 0 },
      ...(opts.hash ? { sha256: {} } : {}),
    };
    const dmsOptions = { operation: opts.dmsOperation, schemaName: opts.dmsSchemaName };
    for (const part of parts) {
      const destination = destinations.get(part)!;
      const stats: ChunkStats = { lines: 0, bytes: 0 };
      const hash = opts.hash ? createHash('sha256') : undefined;
      const totalLines =
        part === 'products'
          ? generatorOptions.products
          : generatorOptions.orders * (1 + generatorOptions.itemsPerOrder);
      const onChunk = (): void => {
        options.signal?.throwIfAborted();
        options.onProgress?.({ part, lines: stats.lines, totalLines, bytes: stats.bytes });
      };
      const chunks =
        part === 'products'
          ? ndjsonChunks(
              generateProducts(generatorOptions),
              productLine,
              opts.chunkBytes,
              stats,
              hash,
              onChunk,
              destination.pool,
            )
          : opts.format === 'dms'
            ? ndjsonChunks<OrderRecord>(
                generateOrders(generatorOptions),
                (record) => JSON.stringify(toDmsRecord(record, dmsOptions)),
                opts.chunkBytes,
                stats,
                hash,
                onChunk,
                destination.pool,
              )
            : ndjsonChunks(
                orderLinesOf(generatorOptions),
                identity,
                opts.chunkBytes,
                stats,
                hash,
                onChunk,
                destination.pool,
              );
      try {
        await destination.write(chunks);
      } catch (cause) {
        if (options.signal?.aborted) {
          throw new GeneratorError('KSE_GENERATOR_ABORTED', `generation of ${part} aborted`, {
            cause,
            target: destination.target,
          });
        }
        if (isGeneratorError(cause)) throw cause;
        throw outputFailed(destination.target, cause);
      }
      result.bytes[part] = stats.bytes;
      if (result.sha256 !== undefined) result.sha256[part] = hash!.digest('hex');
      if (part === 'products') {
        result.counts.products = stats.lines;
      } else {
        result.counts.orders = generatorOptions.orders;
        result.counts.items = stats.lines - generatorOptions.orders;
      }
      result.counts.lines += stats.lines;
    }
    for (const part of parts) {
      const destination = destinations.get(part)!;
      await destination.commit();
      result.files[part] = destination.target;
    }
    return result;
  } catch (error) {
    await Promise.all([...destinations.values()].map((destination) => destination.discard()));
    throw error;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const identity = (line: string): string => line;
