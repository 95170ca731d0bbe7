import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SplitShardCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { sleep as coreSleep } from '@kse/core';
import { createAwsClients, ensureStream, ensureTable } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import type { KinesisStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeKinesisEvent,
  decodeKinesisText,
  startEventSourceMapping,
  type DiscardedRecord,
  type EventSourceMapping,
  type EventSourceMappingOptions,
} from '../../src/index.js';
import { order } from '../fixtures/events.js';
import { compareSeq, putRecords, seededRandom, textsOf, waitFor } from '../helpers.js';

const clients = createAwsClients(testAwsConfig());
const { kinesis, dynamodb } = clients;
const running: EventSourceMapping[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
});

async function start(
  options: Partial<EventSourceMappingOptions> &
    Pick<EventSourceMappingOptions, 'streamName' | 'handler'>,
) {
  const mapping = await startEventSourceMapping({
    kinesis,
    dynamodb,
    checkpointTable: 'kse-lambda-test-checkpoints',
    mappingName: uniqueName('mapping'),
    pollIntervalMs: 50,
    shardSyncIntervalMs: 200,
    retryBackoff: { baseMs: 5, capMs: 20 },
    random: seededRandom(7),
    ...options,
  });
  running.push(mapping);
  return mapping;
}

function numbered(count: number, key: (i: number) => string = () => 'k') {
  return Array.from({ length: count }, (_, i) => ({
    partitionKey: key(i),
    data: JSON.stringify({ i }),
  }));
}

function indexesOf(event: KinesisStreamEvent): number[] {
  return textsOf(event).map((text) => (JSON.parse(text) as { i: number }).i);
}

describe('startEventSourceMapping', () => {
  it('invokes the handler with Lambda-shaped events whose UTF-8 data round-trips', async () => {
    const streamName = uniqueName('esm-shape');
    const { streamArn } = await ensureStream(kinesis, { streamName, shardCount: 1 });
    const [sequenceNumber] = await putRecords(kinesis, streamName, [
      { partitionKey: String(order.orderId), data: JSON.stringify(order) },
    ]);
    const events: KinesisStreamEvent[] = [];
    const mapping = await start({
      streamName,
      functionName: 'shape-fn',
      handler: async (event) => {
        events.push(event);
      },
    });
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 1, 'one record');
    const record = events[0]!.Records[0]!;
    expect(record).toMatchObject({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      eventSourceARN: streamArn,
      awsRegion: testAwsConfig().region,
      eventID: `shardId-000000000000:${sequenceNumber}`,
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: '10000001', sequenceNumber },
    });
    expect(record.kinesis.approximateArrivalTimestamp).toBeGreaterThan(1.7e9);
    expect(record.kinesis.approximateArrivalTimestamp).toBeLessThan(Date.now() / 1000 + 1);
    const [user] = decodeKinesisEvent(events[0]!).records;
    expect(JSON.parse(decodeKinesisText(user!))).toEqual(order);
    await waitFor(
      () => mapping.stats().shards['shardId-000000000000']?.checkpoint === sequenceNumber,
      'checkpoint',
    );
    expect(mapping.stats().shards['shardId-000000000000']!.iteratorAgeMs).toBeGreaterThanOrEqual(0);
  });

  it('starts GetRecords calls pollIntervalMs apart on a caught-up shard, the call time included', async () => {
    const streamName = uniqueName('esm-poll');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    // A virtual clock: each GetRecords call takes 60 ms of it (a slow network), each wait
    // the time asked for. Real waits stay short, so the check does not depend on load.
    let clock = Date.now();
    const starts: number[] = [];
    const waits: number[] = [];
    const slow = createAwsClients(testAwsConfig()).kinesis;
    slow.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'GetRecordsCommand') return next(args);
        starts.push(clock);
        clock += 60;
        return next(args);
      },
      { step: 'initialize', name: 'slowGetRecords' },
    );
    await start({
      streamName,
      kinesis: slow,
      pollIntervalMs: 100,
      now: () => clock,
      sleep: async (ms, signal) => {
        // The lease renewal's timer (every leaseDurationMs / 3) is not the poll loop's: it
        // waits in real time and leaves the virtual clock alone.
        if (ms > 100) return coreSleep(ms, signal);
        waits.push(ms);
        clock += ms;
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      handler: async () => {},
    });
    await waitFor(() => starts.length >= 8, 'eight polls');
    // Calls 100 ms apart (60 ms of call + 40 ms of wait), not 60 ms of call + 100 ms of wait.
    expect(starts.slice(1, 8).map((at, i) => at - starts[i]!)).toEqual(Array(7).fill(100));
    expect(waits.slice(0, 7)).toEqual(Array(7).fill(40));
  });

  it('re-drives from the lowest sequence number reported in batchItemFailures', async () => {
    const streamName = uniqueName('esm-partial');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    const seqs = await putRecords(kinesis, streamName, numbered(10));
    const deliveries: number[][] = [];
    const mapping = await start({
      streamName,
      batchSize: 10,
      functionResponseTypes: ['ReportBatchItemFailures'],
      handler: async (event) => {
        const indexes = indexesOf(event);
        deliveries.push(indexes);
        if (deliveries.length > 1) return { batchItemFailures: [] };
        // Report 7 before 4: Lambda must still re-drive from the lowest, 4.
        return { batchItemFailures: [{ itemIdentifier: seqs[7]! }, { itemIdentifier: seqs[4]! }] };
      },
    });
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 10, 'ten successes');
    expect(deliveries).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [4, 5, 6, 7, 8, 9],
    ]);
    expect(mapping.stats().counters.partialFailures).toBe(1);
  });

  it('fails the whole batch when an itemIdentifier is not in it', async () => {
    const streamName = uniqueName('esm-badid');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    await putRecords(kinesis, streamName, numbered(3));
    const deliveries: number[][] = [];
    const mapping = await start({
      streamName,
      functionResponseTypes: ['ReportBatchItemFailures'],
      handler: async (event) => {
        deliveries.push(indexesOf(event));
        return deliveries.length === 1
          ? { batchItemFailures: [{ itemIdentifier: '' }] }
          : undefined;
      },
    });
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 3, 'three successes');
    expect(deliveries).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('bisects to isolate a poison record, dead-letters it after the retry budget, and processes the rest', async () => {
    const streamName = uniqueName('esm-poison');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    const seqs = await putRecords(kinesis, streamName, numbered(10));
    const deadLetterPath = join(tmpdir(), `${uniqueName('dlq')}.ndjson`);
    const succeeded: number[] = [];
    let poisonInvocations = 0;
    const mapping = await start({
      streamName,
      batchSize: 10,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 2,
      destinationConfig: { onFailure: { type: 'file', path: deadLetterPath } },
      handler: async (event) => {
        const indexes = indexesOf(event);
        if (indexes.includes(5)) {
          poisonInvocations += 1;
          throw new Error('poison record 5');
        }
        succeeded.push(...indexes);
      },
    });
    await waitFor(() => {
      const { counters } = mapping.stats();
      return counters.recordsSucceeded + counters.recordsDeadLettered === 10;
    }, 'all records settled');
    expect(succeeded.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);
    const lines = (await readFile(deadLetterPath, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const discarded = JSON.parse(lines[0]!) as DiscardedRecord;
    expect(discarded).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      sequenceNumber: seqs[5],
      shardId: 'shardId-000000000000',
      partitionKey: 'k',
      // [0-9], [5-9], [5,6,7], [5,6], then [5] alone and its 2 retries
      approximateInvokeCount: 7,
    });
    expect(discarded.reason).toContain('poison record 5');
    expect(Buffer.from(discarded.data, 'base64').toString('utf8')).toBe('{"i":5}');
    const stats = mapping.stats();
    expect(stats.counters.recordsDeadLettered).toBe(1);
    expect(stats.counters.retries).toBe(2);
    expect(poisonInvocations).toBe(7);
    await waitFor(
      () => mapping.stats().shards['shardId-000000000000']?.checkpoint === seqs[9],
      'checkpoint past the poison record',
    );
  });

  it('sends records older than maximumRecordAgeInSeconds to a Kinesis on-failure stream', async () => {
    const streamName = uniqueName('esm-age');
    const dlqStream = uniqueName('esm-age-dlq');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    await ensureStream(kinesis, { streamName: dlqStream, shardCount: 1 });
    await putRecords(kinesis, streamName, numbered(3));
    let invoked = 0;
    const mapping = await start({
      streamName,
      maximumRecordAgeInSeconds: 60,
      now: () => Date.now() + 120_000, // the clock says every record is two minutes old
      destinationConfig: { onFailure: { type: 'kinesis', streamName: dlqStream, kinesis } },
      handler: async () => {
        invoked += 1;
      },
    });
    await waitFor(() => mapping.stats().counters.recordsDeadLettered === 3, 'three discarded');
    expect(invoked).toBe(0);
    const dead: DiscardedRecord[] = [];
    const reader = await start({
      streamName: dlqStream,
      handler: async (event) => {
        dead.push(...textsOf(event).map((t) => JSON.parse(t) as DiscardedRecord));
      },
    });
    await waitFor(() => reader.stats().counters.recordsSucceeded === 3, 'dead letters read');
    expect(dead.map((d) => [d.condition, Buffer.from(d.data, 'base64').toString()])).toEqual([
      ['RecordAgeExceeded', '{"i":0}'],
      ['RecordAgeExceeded', '{"i":1}'],
      ['RecordAgeExceeded', '{"i":2}'],
    ]);
  });

  it('keeps records of one partition key in order across parallel lanes', async () => {
    const streamName = uniqueName('esm-parallel');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    await putRecords(
      kinesis,
      streamName,
      numbered(300, (i) => `key-${i % 12}`),
    );
    const seenByKey = new Map<string, number[]>();
    let active = 0;
    let maxActive = 0;
    const mapping = await start({
      streamName,
      batchSize: 10,
      parallelizationFactor: 4,
      handler: async (event) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (const record of event.Records) {
          const i = (
            JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString()) as { i: number }
          ).i;
          const list = seenByKey.get(record.kinesis.partitionKey) ?? [];
          list.push(i);
          seenByKey.set(record.kinesis.partitionKey, list);
        }
        active -= 1;
      },
    });
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 300, 'all 300');
    expect(maxActive).toBeGreaterThan(1);
    expect(maxActive).toBeLessThanOrEqual(4);
    for (const [key, list] of seenByKey) {
      const k = Number(key.slice(4));
      expect(list).toEqual(Array.from({ length: 25 }, (_, n) => n * 12 + k));
    }
  });

  it('resumes from the checkpoint after a stop, skipping nothing, and the sink table ends exact', async () => {
    const streamName = uniqueName('esm-restart');
    const tableName = uniqueName('esm-sink');
    await ensureStream(kinesis, { streamName, shardCount: 2 });
    await ensureTable(dynamodb, { tableName, partitionKey: { name: 'id', type: 'N' } });
    const total = 200;
    await putRecords(
      kinesis,
      streamName,
      numbered(total, (i) => `pk-${i}`),
    );
    const sink = async (event: KinesisStreamEvent) => {
      await Promise.all(
        indexesOf(event).map((i) =>
          dynamodb.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { id: { N: String(i) } },
              UpdateExpression: 'ADD deliveries :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            }),
          ),
        ),
      );
    };
    const mappingName = uniqueName('restart');
    const batchSize = 10;
    const first = await start({ streamName, mappingName, batchSize, handler: sink });
    await waitFor(() => {
      const stats = first.stats();
      const checkpointed = Object.values(stats.shards).filter((s) => s.checkpoint !== undefined);
      return stats.counters.recordsSucceeded >= 60 && checkpointed.length === 2;
    }, 'first 60, both shards checkpointed');
    await first.stop();
    const firstStats = first.stats();
    expect(firstStats.counters.recordsSucceeded).toBeLessThan(total);
    const checkpoints = Object.fromEntries(
      Object.entries(firstStats.shards).map(([id, s]) => [id, s.checkpoint!]),
    );
    expect(Object.keys(checkpoints).sort()).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
    ]);
    // What the second mapping delivered, by shard, and the function names it passed.
    const deliveredAfterRestart = new Map<string, string[]>();
    const functionNames = new Set<string>();
    const second = await start({
      streamName,
      mappingName,
      batchSize,
      handler: async (event, context) => {
        for (const record of event.Records) {
          const shardId = record.eventID.split(':')[0]!;
          const list = deliveredAfterRestart.get(shardId) ?? [];
          list.push(record.kinesis.sequenceNumber);
          deliveredAfterRestart.set(shardId, list);
        }
        functionNames.add(context.functionName);
        await sink(event);
      },
    });
    await waitFor(
      () =>
        firstStats.counters.recordsSucceeded + second.stats().counters.recordsSucceeded >= total,
      'the rest',
    );
    expect([...functionNames]).toEqual(['kse-local']);
    expect(second.stats().counters.recordsSucceeded).toBe(
      total - firstStats.counters.recordsSucceeded,
    );
    // Nothing at or before a shard's checkpoint is delivered again after the restart.
    const redelivered = Object.entries(checkpoints).flatMap(([shardId, checkpoint]) =>
      (deliveredAfterRestart.get(shardId) ?? []).filter((seq) => compareSeq(seq, checkpoint) <= 0),
    );
    expect(redelivered).toEqual([]);
    const items = await dynamodb.send(new ScanCommand({ TableName: tableName }));
    expect(items.Count).toBe(total);
    const ids = (items.Items ?? []).map((item) => Number(item.id!.N)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i));
    // A graceful stop checkpoints its in-flight batch: nothing is delivered twice.
    const deliveries = (items.Items ?? []).map((item) => Number(item.deliveries!.N));
    expect(Math.max(...deliveries)).toBe(1);
  });

  it('shares the shards of one mapping between two workers, never one shard by both at once, and the table ends exact', async () => {
    const streamName = uniqueName('esm-two');
    const tableName = uniqueName('esm-two-sink');
    await ensureStream(kinesis, { streamName, shardCount: 4 });
    await ensureTable(dynamodb, { tableName, partitionKey: { name: 'id', type: 'N' } });
    const mappingName = uniqueName('two');
    // Every batch, as a span of a shared step counter: which worker, which shard, when.
    let step = 0;
    const spans: { worker: string; shardId: string; start: number; end: number }[] = [];
    const handlerOf = (worker: string) => async (event: KinesisStreamEvent) => {
      const shardId = event.Records[0]!.eventID.split(':')[0]!;
      const start = (step += 1);
      await Promise.all(
        indexesOf(event).map((i) =>
          dynamodb.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { id: { N: String(i) } },
              UpdateExpression: 'ADD deliveries :one',
              ExpressionAttributeValues: { ':one': { N: '1' } },
            }),
          ),
        ),
      );
      spans.push({ worker, shardId, start, end: (step += 1) });
    };
    const settings = {
      streamName,
      mappingName,
      batchSize: 5,
      leaseDurationMs: 6000,
      pollIntervalMs: 20,
    };
    const a = await start({ ...settings, workerId: 'worker-a', handler: handlerOf('worker-a') });
    const total = 400;
    await putRecords(
      kinesis,
      streamName,
      numbered(total / 2, (i) => `pk-${i}`),
    );
    const b = await start({ ...settings, workerId: 'worker-b', handler: handlerOf('worker-b') });
    // The first worker gives half of the shards to the second, which reads them on.
    await waitFor(
      () =>
        Object.values(b.stats().shards).filter((shard) => shard.state === 'running').length === 2,
      'the second worker holding two shards',
    );
    await putRecords(kinesis, streamName, numbered(total, (i) => `pk-${i}`).slice(total / 2));
    await waitFor(async () => {
      const { Count } = await dynamodb.send(
        new ScanCommand({ TableName: tableName, Select: 'COUNT' }),
      );
      return Count === total;
    }, 'every record');

    const items = await dynamodb.send(new ScanCommand({ TableName: tableName }));
    const ids = (items.Items ?? []).map((item) => Number(item.id!.N)).sort((x, y) => x - y);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => i));
    // Both workers processed batches, of two shards each in the end.
    expect(new Set(spans.map((span) => span.worker))).toEqual(new Set(['worker-a', 'worker-b']));
    expect(Object.values(a.stats().shards).filter((s) => s.state === 'running')).toHaveLength(2);
    // No shard had two batches at once (parallelization factor 1), whoever held it.
    const byShard = new Map<string, typeof spans>();
    for (const span of spans)
      byShard.set(span.shardId, [...(byShard.get(span.shardId) ?? []), span]);
    expect(byShard.size).toBe(4);
    for (const list of byShard.values()) {
      const ordered = [...list].sort((x, y) => x.start - y.start);
      for (let k = 1; k < ordered.length; k += 1) {
        expect(ordered[k]!.start).toBeGreaterThan(ordered[k - 1]!.end);
      }
    }
  });

  it('follows a split shard into its children once the parent is finished', async () => {
    const streamName = uniqueName('esm-split');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    await putRecords(
      kinesis,
      streamName,
      numbered(20, (i) => `pk-${i}`),
    );
    const invocations: { shardId: string; indexes: number[] }[] = [];
    const mapping = await start({
      streamName,
      handler: async (event) => {
        invocations.push({
          shardId: event.Records[0]!.eventID.split(':')[0]!,
          indexes: indexesOf(event),
        });
      },
    });
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 20, 'parent records');
    await kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await waitFor(async () => {
      const summary = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
    }, 'stream ACTIVE after split');
    await putRecords(
      kinesis,
      streamName,
      numbered(40, (i) => `pk-${i}`).map((r, i) => ({ ...r, data: JSON.stringify({ i: 20 + i }) })),
    );
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 60, 'all 60', 30_000);
    const stats = mapping.stats();
    expect(stats.finishedShards).toContain('shardId-000000000000');
    expect(stats.shards['shardId-000000000000']!.checkpoint).toBe('SHARD_END');
    const childShards = new Set(
      invocations.map((i) => i.shardId).filter((s) => s !== 'shardId-000000000000'),
    );
    expect([...childShards].sort()).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    const lastParent = invocations.findLastIndex((i) => i.shardId === 'shardId-000000000000');
    const firstChild = invocations.findIndex((i) => i.shardId !== 'shardId-000000000000');
    expect(lastParent).toBeLessThan(firstChild);
    const all = invocations.flatMap((i) => i.indexes).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('sweeps a shard only when it is caught up, with a time no unprocessed record is older than', async () => {
    const streamName = uniqueName('esm-sweep');
    await ensureStream(kinesis, { streamName, shardCount: 1 });
    let invoking = false;
    let lastArrivalMs = 0;
    const sizes: number[] = [];
    const sweeps: { now: number; whileInvoking: boolean; after: number }[] = [];
    const sweptShards = new Set<string>();
    const mapping = await start({
      streamName,
      batchSize: 5,
      handler: async (event) => {
        invoking = true;
        sizes.push(event.Records.length);
        await new Promise((resolve) => setTimeout(resolve, 100));
        for (const record of event.Records) {
          lastArrivalMs = Math.max(
            lastArrivalMs,
            record.kinesis.approximateArrivalTimestamp * 1000,
          );
        }
        invoking = false;
      },
      sweep: async (shard) => {
        sweptShards.add(shard.shardId);
        sweeps.push({ now: shard.now, whileInvoking: invoking, after: lastArrivalMs });
      },
    });
    await putRecords(kinesis, streamName, numbered(20));
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 20, 'all 20');
    await waitFor(() => sweeps.some((s) => s.after > 0), 'a sweep after the records');
    expect([...sweptShards]).toEqual(['shardId-000000000000']);
    expect(sweeps.filter((s) => s.whileInvoking)).toEqual([]);
    expect(sweeps.filter((s) => s.now < s.after)).toEqual([]);
    await mapping.stop();
    // The function is invoked only with records; sweeps are not invocations.
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(mapping.stats().counters.invocations).toBe(sizes.length);
    expect(mapping.stats().counters.sweeps).toBe(sweeps.length);
  });
});
