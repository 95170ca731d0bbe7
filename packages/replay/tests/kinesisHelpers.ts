import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
  type PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';

/** One Kinesis record as stored: its partition key and its bytes. */
export interface StoredRecord {
  partitionKey: string;
  data: Uint8Array;
}

/** Every record of every shard, in shard order, as stored. */
export async function readAllShardRecords(
  kinesis: KinesisClient,
  streamName: string,
): Promise<Map<string, StoredRecord[]>> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const out = new Map<string, StoredRecord[]>();
  for (const shard of Shards) {
    const records: StoredRecord[] = [];
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator !== undefined) {
      const page = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const record of page.Records ?? [])
        records.push({ partitionKey: record.PartitionKey!, data: record.Data! });
      if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
    out.set(shard.ShardId!, records);
  }
  return out;
}

/** Every record of every shard, in shard order, as UTF-8 text. */
export async function readAllShards(
  kinesis: KinesisClient,
  streamName: string,
): Promise<Map<string, string[]>> {
  const shards = await readAllShardRecords(kinesis, streamName);
  return new Map(
    [...shards].map(([shardId, records]) => [
      shardId,
      records.map((record) => Buffer.from(record.data).toString('utf8')),
    ]),
  );
}

/** Sorted copy, for multiset comparison. */
export const sorted = (lines: Iterable<string>): string[] => [...lines].sort();

/**
 * Checks that all records of one orderId sit on one shard, in the order of `lines`.
 * Returns the problems found (empty when none).
 */
export function orderProblems(shards: Map<string, string[]>, lines: string[]): string[] {
  const problems: string[] = [];
  const shardOf = new Map<number, string>();
  const seen = new Map<number, string[]>();
  for (const [shardId, records] of shards) {
    for (const record of records) {
      const id = (JSON.parse(record) as { orderId: number }).orderId;
      const previous = shardOf.get(id);
      if (previous !== undefined && previous !== shardId)
        problems.push(`order ${id} on ${previous} and ${shardId}`);
      shardOf.set(id, shardId);
      seen.set(id, [...(seen.get(id) ?? []), record]);
    }
  }
  const expected = new Map<number, string[]>();
  for (const line of lines) {
    const id = (JSON.parse(line) as { orderId: number }).orderId;
    expected.set(id, [...(expected.get(id) ?? []), line]);
  }
  for (const [id, records] of expected) {
    if (JSON.stringify(seen.get(id)) !== JSON.stringify(records))
      problems.push(`order ${id} out of order`);
  }
  return problems;
}

/** What a fault middleware did. */
export interface FaultLog {
  requests: number;
  /** `performance.now()` when each PutRecords request left the client. */
  sentAt: number[];
  /** Entries per PutRecords request, as sent by the client. */
  entriesPerRequest: number[];
  /** Bytes (data + partition keys) per request. */
  bytesPerRequest: number[];
  /** Entries answered with an injected error. */
  failedEntries: number;
  /** Requests answered with an injected error. */
  failedRequests: number;
}

export interface FaultOptions {
  /** Decides per entry whether it fails this time (it is then not written). */
  failEntry?: (entry: { data: string; partitionKey: string }) => boolean;
  /** Decides per request (1-based count) whether it fails whole. */
  failRequest?: (request: number) => boolean;
}

/**
 * SDK middleware on the real client: entries chosen by `failEntry` are removed from the
 * request before it is sent and answered as `ProvisionedThroughputExceededException`, in
 * place, as Kinesis does for a partial failure; requests chosen by `failRequest` fail whole
 * with a throttling error and reach no one.
 */
export function injectPutRecordsFaults(kinesis: KinesisClient, options: FaultOptions): FaultLog {
  const log: FaultLog = {
    requests: 0,
    sentAt: [],
    entriesPerRequest: [],
    bytesPerRequest: [],
    failedEntries: 0,
    failedRequests: 0,
  };
  kinesis.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const input = args.input as PutRecordsCommandInput;
      log.requests += 1;
      log.sentAt.push(performance.now());
      log.entriesPerRequest.push(input.Records!.length);
      log.bytesPerRequest.push(
        input.Records!.reduce(
          (sum, r) => sum + r.Data!.byteLength + Buffer.byteLength(r.PartitionKey!),
          0,
        ),
      );
      if (options.failRequest?.(log.requests) === true) {
        log.failedRequests += 1;
        const error = new Error('Rate exceeded for stream (injected)');
        error.name = 'ProvisionedThroughputExceededException';
        Object.assign(error, { $metadata: { httpStatusCode: 400 }, $fault: 'client' });
        throw error;
      }
      const fail = input.Records!.map(
        (r) =>
          options.failEntry?.({
            data: Buffer.from(r.Data!).toString('utf8'),
            partitionKey: r.PartitionKey!,
          }) === true,
      );
      const kept = input.Records!.filter((_, i) => !fail[i]);
      let keptResults: PutRecordsResultEntry[] = [];
      let output: PutRecordsCommandOutput | undefined;
      if (kept.length > 0) {
        const result = await next({ ...args, input: { ...input, Records: kept } });
        output = result.output as PutRecordsCommandOutput;
        keptResults = output.Records ?? [];
      }
      let k = 0;
      const records: PutRecordsResultEntry[] = fail.map((failed) => {
        if (!failed) return keptResults[k++]!;
        log.failedEntries += 1;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded for shard (injected)',
        };
      });
      const failedCount = records.filter((r) => r.ErrorCode !== undefined).length;
      return {
        response: {},
        output: {
          $metadata: output?.$metadata ?? {},
          ...output,
          FailedRecordCount: failedCount,
          Records: records,
        },
      } as never;
    },
    { step: 'initialize', name: 'kseInjectPutRecordsFaults' },
  );
  return log;
}
