import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { GeneratorError } from './errors.js';

/** An S3 location parsed from `s3://bucket/prefix/`. */
export interface S3Location {
  bucket: string;
  /** Key prefix, empty or ending with `/`. */
  prefix: string;
}

/** True when `target` is an `s3://` URI. */
export function isS3Uri(target: string): boolean {
  return target.startsWith('s3://');
}

/**
 * Parses `s3://bucket/prefix/` (the prefix is optional; a missing trailing `/` is added).
 * Throws `KSE_GENERATOR_OPTION_INVALID` for anything else.
 */
export function parseS3Uri(uri: string, option = 'outDir'): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (match === null) {
    throw new GeneratorError(
      'KSE_GENERATOR_OPTION_INVALID',
      `not an S3 URI of the form s3://bucket/prefix/: ${uri}`,
      { option },
    );
  }
  const rest = match[2] ?? '';
  return { bucket: match[1]!, prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/` };
}

/** Options of {@link uploadStreamToS3}. */
export interface S3UploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  contentType?: string;
  /** Multipart part size in bytes (S3 minimum 5 MiB). Memory held ≈ partSize × queueSize. */
  partSize?: number;
  /** Parts uploaded in parallel. Default 2. */
  queueSize?: number;
  signal?: AbortSignal;
}

/**
 * Streams `source` (bytes, any length) to one S3 object with a multipart upload: memory
 * is bounded by `partSize × queueSize`, never the object size. On any failure the upload
 * is aborted, so no object appears; the error is `KSE_GENERATOR_S3_FAILED`.
 *
 * @example
 * ```ts
 * await uploadStreamToS3(Readable.from(chunks()), { client: s3, bucket: 'data', key: 'orders/orders.json' });
 * ```
 */
export async function uploadStreamToS3(
  source: Readable | AsyncIterable<Buffer> | Iterable<Buffer>,
  options: S3UploadOptions,
): Promise<{ uri: string }> {
  const uri = `s3://${options.bucket}/${options.key}`;
  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  const upload = new Upload({
    client: options.client,
    params: {
      Bucket: options.bucket,
      Key: options.key,
      Body: body,
      ContentType: options.contentType ?? 'application/x-ndjson',
    },
    partSize: options.partSize ?? 5 * 1024 * 1024,
    queueSize: options.queueSize ?? 2,
    leavePartsOnError: false,
  });
  const onAbort = (): void => {
    void upload.abort();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // If the upload fails, the producer must stop too (else it waits on back-pressure
  // forever), and the other way round.
  const uploading = upload.done().catch((error: unknown) => {
    body.destroy(error as Error);
    throw error;
  });
  const producing = pipeline(source, body).catch(async (error: unknown) => {
    await upload.abort().catch(() => undefined);
    throw error;
  });
  try {
    await Promise.all([uploading, producing]);
  } catch (cause) {
    if (options.signal?.aborted) {
      throw new GeneratorError('KSE_GENERATOR_ABORTED', `upload to ${uri} aborted`, {
        cause,
        target: uri,
      });
    }
    throw new GeneratorError(
      'KSE_GENERATOR_S3_FAILED',
      `upload to ${uri} failed: ${(cause as Error).message}`,
      { cause, target: uri, retryable: true },
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return { uri };
}
