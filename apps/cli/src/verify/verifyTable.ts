import { stat } from 'node:fs/promises';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Order, OrderItem } from '@kse/schemas';
import { ComparisonTally, entryBatches, type Reread } from './compareLanded.js';
import { loadProductNames, readSourceLines } from './expectedRows.js';
import { emptyExpectedStats, type ExpectedStats } from './expectedStats.js';
import { LastWrites } from './lastWrites.js';
import { PartitionSpill } from './partitionSpill.js';
import { asItem, scanPages } from './scanTable.js';
import type { Comparison, VerifyProgress, VerifyResult } from './types.js';

/** Options of {@link verifyTable}. */
export interface VerifyTableOptions {
  /** A DynamoDB client (real SDK), pointed at the table's account or the local stack. */
  dynamodb: DynamoDBClient;
  /** The table to check; default `OrdersEnriched`. */
  tableName?: string;
  /** The products file the run was generated with. */
  productsPath: string;
  /** The orders file the run was generated with. */
  ordersPath: string;
  /** Records the pipeline dead-lettered, when known (a run knows; a bare verify may not). */
  deadLettered?: number;
  /** How many examples of each kind of difference to keep; default 5. */
  examples?: number;
  /** Parallel Scan segments; default {@link DEFAULT_VERIFY_OPTIONS}`.segments`. */
  segments?: number;
  /**
   * Bytes of the orders file compared in memory at a time (the partition budget): a file
   * larger than this is hash-partitioned by `orderId` into temporary files, as are the
   * table's rows, and compared one partition at a time. Memory then stays flat whatever
   * the row count. Default 32 MiB (about 100,000 rows of `kse generate`'s data).
   */
  partitionBytes?: number;
  /** Where the `kse-verify-*` directory of the partitions goes; default the OS's temp dir. */
  tempDir?: string;
  /** Hears how far the verification is, every `progressIntervalMs`. */
  onProgress?: (progress: VerifyProgress) => void;
  /** Default 5,000 ms. */
  progressIntervalMs?: number;
}

/** Defaults of {@link VerifyTableOptions}. */
export const DEFAULT_VERIFY_OPTIONS = {
  tableName: 'OrdersEnriched',
  examples: 5,
  // Measured on the local stack (see the CLI README): 4 segments keep dynalite busy while
  // this process decodes the pages it already has.
  segments: 4,
  partitionBytes: 32 << 20,
  progressIntervalMs: 5_000,
} satisfies Partial<VerifyTableOptions>;

/**
 * Checks a table against the rows the input files call for: a (segmented, parallel) Scan
 * through the SDK, every item mapped with `fromDynamoItem` to its key and a fingerprint of
 * its compared fields, against the rows derived from the input (see `expectedRows`: last
 * write wins on duplicates, as in the join and the sink), compared field by field.
 *
 * Memory is bounded whatever the row count: an input within `partitionBytes` is compared
 * in memory (the fast path: its rows first, then the table streamed past them); a larger
 * one is hash-partitioned by `orderId` into temporary files while the table is scanned
 * into files partitioned the same way, then compared one partition at a time. The files
 * live in one `kse-verify-*` directory, removed on every exit path. Mismatch examples are
 * re-read with GetItem.
 *
 * @example
 * ```ts
 * const result = await verifyTable({ dynamodb, productsPath, ordersPath });
 * console.log(formatVerdict(result));
 * process.exitCode = result.exact ? 0 : 1;
 * ```
 */
export async function verifyTable(options: VerifyTableOptions): Promise<VerifyResult> {
  const started = Date.now();
  const settings = { ...DEFAULT_VERIFY_OPTIONS, ...definedOnly(options) };
  const table = settings.tableName;
  const input = emptyExpectedStats();
  const tally = new ComparisonTally(settings.examples);
  const inputBytes = (await stat(options.ordersPath)).size;
  const partitions = Math.max(1, Math.ceil(inputBytes / Math.max(1, settings.partitionBytes)));
  const progress: VerifyProgress = {
    phase: 'scan',
    scanned: 0,
    expected: undefined,
    inputRead: 0,
    partitionsDone: 0,
    partitions,
    elapsedMs: 0,
  };
  const timer =
    options.onProgress === undefined
      ? undefined
      : setInterval(() => {
          progress.scanned = tally.landedItems;
          progress.elapsedMs = Date.now() - started;
          options.onProgress!(progress);
        }, settings.progressIntervalMs);
  timer?.unref();
  const context: VerifyContext = {
    options,
    table,
    segments: settings.segments,
    input,
    tally,
    progress,
    inputBytes,
    productNames: await loadProductNames(options.productsPath, input),
  };
  let comparison: Comparison;
  try {
    if (partitions === 1) await compareInMemory(context);
    else await compareByPartition(context, settings.tempDir);
    comparison = await tally.result(rereader(options.dynamodb, table));
  } finally {
    clearInterval(timer);
  }
  const deadLettered = options.deadLettered ?? null;
  return {
    table,
    ...comparison,
    deadLettered,
    exact:
      comparison.missing === 0 &&
      comparison.unexpected === 0 &&
      comparison.mismatched === 0 &&
      comparison.invalid === 0 &&
      input.badLines === 0 &&
      (deadLettered ?? 0) === 0,
    input,
    durationMs: Date.now() - started,
  };
}

interface VerifyContext {
  options: VerifyTableOptions;
  table: string;
  segments: number;
  input: ExpectedStats;
  tally: ComparisonTally;
  progress: VerifyProgress;
  inputBytes: number;
  productNames: Map<number, string>;
}

// The fast path: the whole input in memory, then the table streamed past it.
async function compareInMemory(context: VerifyContext): Promise<void> {
  const { options, input, tally, progress, productNames } = context;
  const writes = new LastWrites();
  const onBytes = (bytes: number): void => {
    progress.inputRead += bytes / Math.max(1, context.inputBytes);
  };
  for await (const batch of readSourceLines(options.ordersPath, input, onBytes)) {
    for (const { record } of batch) writes.add(record);
  }
  input.repeatedKeys += writes.repeated;
  progress.expected = writes.rowCount();
  await tally.comparePartition(
    {
      rows: () => writes.rows(productNames, input),
      row: (orderId, itemId) => writes.row(orderId, itemId, productNames),
    },
    entryBatches(tally, scanPages(options.dynamodb, context.table, context.segments)),
  );
}

// The partitioned path: both sides into partition files at once, then partition by partition.
async function compareByPartition(context: VerifyContext, tempDir?: string): Promise<void> {
  const { options, input, tally, progress, productNames } = context;
  const spill = await PartitionSpill.create(progress.partitions, tempDir);
  try {
    let failed = false;
    const spillExpected = async (): Promise<void> => {
      const onBytes = (bytes: number): void => {
        progress.inputRead += bytes / Math.max(1, context.inputBytes);
      };
      for await (const batch of readSourceLines(options.ordersPath, input, onBytes)) {
        if (failed) return;
        for (const { record, bytes } of batch) {
          const full = spill.writeExpected(record.orderId, bytes);
          if (full !== undefined) await full;
        }
      }
      await spill.expected.flush();
    };
    const spillLanded = async (): Promise<void> => {
      for await (const page of scanPages(options.dynamodb, context.table, context.segments)) {
        if (failed) return;
        for (const item of page) {
          const entry = tally.landedEntry(item);
          if (entry === undefined) continue;
          const full = spill.writeLanded(entry);
          if (full !== undefined) await full;
        }
      }
      await spill.landed.flush();
    };
    // The first failure stops the other side, whose end is awaited before the files go.
    const sides = [spillExpected(), spillLanded()].map((side) =>
      side.catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    );
    const settled = await Promise.allSettled(sides);
    for (const side of settled) if (side.status === 'rejected') throw side.reason;

    progress.phase = 'compare';
    for (let partition = 0; partition < progress.partitions; partition += 1) {
      const writes = new LastWrites();
      for await (const batch of spill.readExpected<Order | OrderItem>(partition)) {
        for (const record of batch) writes.add(record);
      }
      input.repeatedKeys += writes.repeated;
      await tally.comparePartition(
        {
          rows: () => writes.rows(productNames, input),
          row: (orderId, itemId) => writes.row(orderId, itemId, productNames),
        },
        spill.readLanded(partition),
      );
      await spill.removePartition(partition);
      progress.partitionsDone = partition + 1;
    }
  } finally {
    await spill.remove();
  }
}

function rereader(dynamodb: DynamoDBClient, table: string): Reread {
  return async (row) => {
    const response = await dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { orderId: { N: String(row.orderId) }, itemId: { N: String(row.itemId) } },
        ConsistentRead: true,
      }),
    );
    return response.Item === undefined ? undefined : asItem(response.Item);
  };
}

// The options a caller set (an explicit `undefined` does not override a default).
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
