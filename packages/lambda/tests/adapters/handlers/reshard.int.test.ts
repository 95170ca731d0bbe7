// Resharding in the middle of a run: orders on a parent shard, their items on its children
// after a split, and again across a merge. The table must end exact.
import {
  DescribeStreamSummaryCommand,
  MergeShardsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnrichHandler } from '../../../src/index.js';
import { putRecords, waitFor } from '../../helpers.js';
import {
  PRODUCT,
  deadLetters,
  enrichedTable,
  entries,
  handlerClients,
  item,
  joinState,
  kinesis,
  map,
  order,
  products,
  running,
  scanTable,
  stream,
  type StoreKind,
} from './joinHarness.js';

afterEach(async () => {
  await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
});

async function active(streamName: string): Promise<void> {
  await waitFor(async () => {
    const summary = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
  }, `${streamName} ACTIVE`);
}

const ids = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each<StoreKind>(['memory', 'dynamodb'])('a reshard mid-run (%s store)', (kind) => {
  it('joins orders of a parent shard with items of its children, across a split and a merge: the table is exact', async () => {
    const source = await stream('src-reshard');
    const dlq = await stream('dlq');
    const tableName = await enrichedTable();
    const handler = createEnrichHandler({
      env: {},
      ...handlerClients(),
      ...(await joinState(kind)),
      topology: 'fused',
      tableName,
      deadLetterStream: dlq,
      products: await products(),
    });
    const mapping = await map(source, { handler, sweep: handler.sweep });
    const done = (count: number, what: string) =>
      waitFor(() => mapping.stats().counters.recordsSucceeded === count, what, 30_000);

    // Orders 1–20 on shard 0; then it splits in two.
    await putRecords(kinesis, source, entries(ids(1, 20).map((id) => order(id))));
    await done(20, 'orders 1–20 on the parent');
    await kinesis.send(
      new SplitShardCommand({
        StreamName: source,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await active(source);
    // Their items land on the two children, with orders 21–40; then the children merge.
    await putRecords(kinesis, source, [
      ...entries(ids(1, 20).map((id) => item(id))),
      ...entries(ids(21, 40).map((id) => order(id))),
    ]);
    await done(60, 'items 1–20 and orders 21–40 on the children');
    await kinesis.send(
      new MergeShardsCommand({
        StreamName: source,
        ShardToMerge: 'shardId-000000000001',
        AdjacentShardToMerge: 'shardId-000000000002',
      }),
    );
    await active(source);
    // The items of orders 21–40 land on the merged shard.
    await putRecords(kinesis, source, entries(ids(21, 40).map((id) => item(id))));
    await done(80, 'items 21–40 on the merged shard');

    const shards = Object.keys(mapping.stats().shards).sort();
    expect(shards).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
      'shardId-000000000002',
      'shardId-000000000003',
    ]);
    const rows = (await scanTable(tableName))
      .map((row) => [Number(row.orderId?.N), Number(row.itemId?.N), row.shipToName?.S])
      .sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(rows).toEqual(ids(1, 40).map((id) => [id, PRODUCT, order(id).shipToName]));
    expect(await deadLetters(dlq)).toEqual([]);
  });
});
