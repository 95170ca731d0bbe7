import { createReadStream, rmSync } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mixKey } from './LandedIndex.js';
import type { LandedEntry } from './types.js';

/** The partition (`0 … partitions - 1`) of the rows of an `orderId`. */
export function partitionOf(orderId: number, partitions: number): number {
  return partitions <= 1 ? 0 : mixKey(orderId) % partitions;
}

const NEWLINE = 0x0a;

/** Bytes of one landed entry on disk: `orderId`, `itemId`, fingerprint, as float64 LE. */
const LANDED_ENTRY_BYTES = 24;
/** Bytes in flight to disk before a writer waits for them. */
const MAX_IN_FLIGHT_BYTES = 16 << 20;
/** Buffer space of all the partitions of one side together, whatever their number. */
const SIDE_BUFFER_BYTES = 16 << 20;

/**
 * Temporary files of a partitioned verification, in one `kse-verify-*` directory: per
 * partition, the expected side's source records (one JSON line each, in input order) and
 * the landed side's entries (24 bytes each). Each side buffers a bounded amount in memory
 * (16 MiB in all, split between its partitions) and holds back writers while 16 MiB are
 * in flight to disk. {@link remove} deletes the directory; it is also removed if the
 * process exits before that (the `exit` event), so no exit path leaves it behind.
 */
export class PartitionSpill {
  readonly expected: SpillFiles;
  readonly landed: SpillFiles;
  private removed = false;
  private readonly onExit = (): void => rmSync(this.dir, { recursive: true, force: true });

  private constructor(
    readonly dir: string,
    readonly partitions: number,
  ) {
    this.expected = new SpillFiles(join(dir, 'expected'), partitions);
    this.landed = new SpillFiles(join(dir, 'landed'), partitions, LANDED_ENTRY_BYTES);
    process.once('exit', this.onExit);
  }

  /** A new, empty spill in a fresh `kse-verify-*` directory under the OS temp dir. */
  static async create(partitions: number, parent = tmpdir()): Promise<PartitionSpill> {
    return new PartitionSpill(await mkdtemp(join(parent, 'kse-verify-')), partitions);
  }

  /**
   * Writes an expected source record to its partition, as the JSON line it was read from
   * (validated: its schema's fields parse back to the record's values, and the fields the
   * schema does not know are ignored on reading; no JSON.stringify of every record).
   */
  writeExpected(orderId: number, line: Uint8Array): Promise<void> | undefined {
    return this.expected.writeLine(partitionOf(orderId, this.partitions), line);
  }

  /** Writes a landed entry to its partition. */
  writeLanded(entry: LandedEntry): Promise<void> | undefined {
    const partition = partitionOf(entry.orderId, this.partitions);
    return this.landed.writeDoubles(partition, entry.orderId, entry.itemId, entry.fingerprint);
  }

  /**
   * The expected source records of one partition, parsed, in input order: a batch per
   * chunk of the file read (the file is never held whole). Each line is decoded on its
   * own, so that a line of ASCII stays a one-byte string however its neighbours are.
   */
  async *readExpected<T>(partition: number): AsyncGenerator<T[]> {
    const file = createReadStream(this.expected.path(partition), { highWaterMark: 1 << 20 });
    let carry: Buffer | undefined;
    try {
      for await (const read of file as AsyncIterable<Buffer>) {
        const chunk = carry === undefined ? read : Buffer.concat([carry, read]);
        const batch: T[] = [];
        let start = 0;
        for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
          batch.push(JSON.parse(chunk.toString('utf8', start, end)) as T);
          start = end + 1;
        }
        carry = start < chunk.length ? chunk.subarray(start) : undefined;
        yield batch;
      }
    } catch (error) {
      // A partition none of whose rows came has no file.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // Every record is written with its newline: anything left is a torn file.
    if (carry !== undefined) throw new Error(`${this.expected.path(partition)} ends mid-record`);
  }

  /** The landed entries of one partition, a batch per chunk read. */
  async *readLanded(partition: number): AsyncGenerator<LandedEntry[]> {
    let handle: FileHandle;
    try {
      handle = await open(this.landed.path(partition), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const buffer = Buffer.allocUnsafe(LANDED_ENTRY_BYTES * 16_384);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) return;
        const batch: LandedEntry[] = [];
        for (let at = 0; at + LANDED_ENTRY_BYTES <= bytesRead; at += LANDED_ENTRY_BYTES) {
          batch.push({
            orderId: buffer.readDoubleLE(at),
            itemId: buffer.readDoubleLE(at + 8),
            fingerprint: buffer.readDoubleLE(at + 16),
          });
        }
        yield batch;
      }
    } finally {
      await handle.close();
    }
  }

  /** Deletes one partition's files (once compared). */
  async removePartition(partition: number): Promise<void> {
    await rm(this.expected.path(partition), { force: true });
    await rm(this.landed.path(partition), { force: true });
  }

  /** Closes every file and deletes the directory. Idempotent. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await Promise.allSettled([this.expected.close(), this.landed.close()]);
    await rm(this.dir, { recursive: true, force: true });
    process.off('exit', this.onExit);
  }
}

/**
 * Append-only files, one per partition, written through a buffer per partition; each
 * partition's writes are chained, so its file keeps the order of its writes.
 */
class SpillFiles {
  private readonly buffers: (Buffer | undefined)[];
  private readonly filled: number[];
  private readonly handles: (Promise<FileHandle> | undefined)[];
  private readonly chains: Promise<void>[];
  private readonly bufferBytes: number;
  private inFlight = 0;
  private drained: (() => void)[] = [];
  private failure: unknown;

  constructor(
    private readonly prefix: string,
    partitions: number,
    unit = 1,
  ) {
    const share = Math.floor(SIDE_BUFFER_BYTES / partitions);
    this.bufferBytes = Math.max(4096, Math.min(1 << 20, share - (share % unit)));
    this.buffers = new Array<Buffer | undefined>(partitions);
    this.filled = new Array<number>(partitions).fill(0);
    this.handles = new Array<Promise<FileHandle> | undefined>(partitions);
    this.chains = new Array<Promise<void>>(partitions).fill(Promise.resolve());
  }

  path(partition: number): string {
    return `${this.prefix}-${partition}`;
  }

  /** Appends bytes and a newline; a promise means: wait for it before the next write. */
  writeLine(partition: number, line: Uint8Array): Promise<void> | undefined {
    let buffer = this.buffer(partition);
    const size = line.byteLength + 1;
    if (this.filled[partition]! + size > buffer.length) {
      this.spill(partition);
      if (size > buffer.length) {
        const copy = Buffer.allocUnsafe(size);
        copy.set(line);
        copy[size - 1] = NEWLINE;
        this.enqueue(partition, copy);
        return this.pressure();
      }
      buffer = this.buffer(partition);
    }
    const at = this.filled[partition]!;
    buffer.set(line, at);
    buffer[at + size - 1] = NEWLINE;
    this.filled[partition] = at + size;
    return this.pressure();
  }

  /** Appends three float64 values. */
  writeDoubles(partition: number, a: number, b: number, c: number): Promise<void> | undefined {
    let buffer = this.buffer(partition);
    if (this.filled[partition]! + 24 > buffer.length) {
      this.spill(partition);
      buffer = this.buffer(partition);
    }
    let at = this.filled[partition]!;
    at = buffer.writeDoubleLE(a, at);
    at = buffer.writeDoubleLE(b, at);
    this.filled[partition] = buffer.writeDoubleLE(c, at);
    return this.pressure();
  }

  /** Writes every buffer out and waits until all is on disk; throws a failed write's error. */
  async flush(): Promise<void> {
    for (let partition = 0; partition < this.buffers.length; partition += 1) {
      this.spill(partition);
      this.buffers[partition] = undefined;
    }
    await Promise.all(this.chains);
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.chains);
    const handles = this.handles.filter((h): h is Promise<FileHandle> => h !== undefined);
    this.handles.fill(undefined);
    await Promise.allSettled(handles.map(async (handle) => (await handle).close()));
  }

  private buffer(partition: number): Buffer {
    let buffer = this.buffers[partition];
    if (buffer === undefined) {
      buffer = Buffer.allocUnsafe(this.bufferBytes);
      this.buffers[partition] = buffer;
      this.filled[partition] = 0;
    }
    return buffer;
  }

  // Hands the partition's buffered bytes to its write chain; a fresh buffer takes over.
  private spill(partition: number): void {
    const buffer = this.buffers[partition];
    const filled = this.filled[partition]!;
    if (buffer === undefined || filled === 0) return;
    this.buffers[partition] = undefined;
    this.filled[partition] = 0;
    this.enqueue(partition, buffer.subarray(0, filled));
  }

  private enqueue(partition: number, bytes: Buffer): void {
    if (this.failure !== undefined) throw this.failure;
    this.inFlight += bytes.length;
    let handle = this.handles[partition];
    if (handle === undefined) {
      handle = open(this.path(partition), 'a');
      // Awaited in the chain; marked handled so that a failed open is not reported twice.
      handle.catch(() => undefined);
      this.handles[partition] = handle;
    }
    this.chains[partition] = this.chains[partition]!.then(async () => {
      try {
        await (await handle).write(bytes);
      } catch (error) {
        this.failure ??= error;
      } finally {
        this.inFlight -= bytes.length;
        if (this.inFlight <= MAX_IN_FLIGHT_BYTES / 2) {
          for (const resolve of this.drained.splice(0)) resolve();
        }
      }
    });
  }

  private pressure(): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.inFlight <= MAX_IN_FLIGHT_BYTES) return undefined;
    return new Promise((resolve) => this.drained.push(resolve));
  }
}
