import type { Hash } from 'node:crypto';

/** Counters of one NDJSON output, updated as chunks are produced. */
export interface ChunkStats {
  lines: number;
  bytes: number;
}

const NEWLINE = 0x0a;

/**
 * Buffers handed back by a writer that is done with them, for the next chunks: with a
 * writer that owns its writes (a plain file), the run allocates two buffers in all
 * instead of one per chunk, so no freed-but-not-collected memory piles up off-heap.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];

  /** A buffer of at least `size` bytes, recycled when one is free. */
  acquire(size: number): Buffer {
    const index = this.free.findIndex((buffer) => buffer.length >= size);
    if (index === -1) return Buffer.allocUnsafeSlow(size);
    return this.free.splice(index, 1)[0]!;
  }

  /** Hands back the whole buffer behind `chunk` (a chunk this pool's buffer was cut from). */
  release(chunk: Buffer): void {
    this.free.push(
      Buffer.from(chunk.buffer, chunk.byteOffset, chunk.buffer.byteLength - chunk.byteOffset),
    );
  }
}

/**
 * Serializes records to NDJSON and yields them as UTF-8 chunks of about `chunkBytes`, so
 * the writer makes a few large writes instead of one per line, and memory holds a few
 * chunks whatever the record count. Each line is encoded straight into the chunk's buffer
 * (concatenating strings and encoding them afterwards cost four times more CPU).
 */
export function* ndjsonChunks<T>(
  records: Iterable<T>,
  serialize: (record: T) => string,
  chunkBytes: number,
  stats: ChunkStats,
  hash: Hash | undefined,
  onChunk: () => void,
  pool?: ChunkPool,
): Generator<Buffer> {
  // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool, so that it
  // can be recycled whole.
  const allocate = (size: number): Buffer =>
    pool === undefined ? Buffer.allocUnsafeSlow(size) : pool.acquire(size);
  let buffer = allocate(chunkBytes);
  let offset = 0;
  let lines = 0;
  const flush = (): Buffer => {
    const chunk = buffer.subarray(0, offset);
    hash?.update(chunk);
    stats.lines += lines;
    stats.bytes += offset;
    lines = 0;
    onChunk();
    return chunk;
  };
  for (const record of records) {
    const line = serialize(record);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes: flush unless the line surely fits.
    const worst = line.length * 3 + 1;
    if (offset + worst > buffer.length) {
      if (offset > 0) yield flush();
      // The previous buffer now belongs to the writer: only the pool may give it back.
      buffer = allocate(Math.max(chunkBytes, worst));
      offset = 0;
    }
    offset += buffer.write(line, offset);
    buffer[offset] = NEWLINE;
    offset += 1;
    lines += 1;
  }
  if (lines > 0) yield flush();
}
