import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  createAwsClients,
  createDynamoDbClient,
  createKinesisClient,
  destroyAwsClients,
} from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createPipelineHandlers, type PipelineJoinSettings } from '../../src/pipeline/handlers.js';
import { INPUT_KEYS } from '../../src/pipeline/input.js';
import {
  RunningMappings,
  sharedMappingSettings,
  startMappings,
} from '../../src/pipeline/mappings.js';
import type { Topology } from '../../src/pipeline/options.js';
import { planResources, prepareResources, runTables } from '../../src/pipeline/resources.js';

const PRODUCT_ID = 999900001;

function order(orderId: number, at: number) {
  return {
    orderId,
    orderAmount: 10,
    orderStatus: 'New',
    orderDateTime: new Date(at).toISOString(),
    shipToName: 'A',
    shipToAddress: '1 Road',
    shipToCity: 'Town',
    shipToState: 'WA',
    shipToZip: '98101',
    recordType: 'Order',
  };
}

function item(orderId: number, at: number) {
  return {
    orderId,
    itemId: PRODUCT_ID,
    itemQuantity: 1,
    itemAmount: 10,
    itemStatus: 'Ready',
    orderDateTime: new Date(at).toISOString(),
    recordType: 'OrderItem',
  };
}

interface DeadLetterRecord {
  code: string;
  data?: { orderId?: number; recordType?: string };
}

/**
 * The pipeline's enrich handler and mapping (as `kse run` wires them) on fresh streams of
 * the local stack, with a 1 s join window so that expiry comes soon.
 */
async function startPipeline(topology: Topology, joinSettings: PipelineJoinSettings) {
  const config = testAwsConfig();
  const clients = createAwsClients(config);
  const handlerClients = {
    kinesis: createKinesisClient(config, { maxAttempts: 3 }),
    dynamodb: createDynamoDbClient(config, { maxAttempts: 3 }),
    s3: clients.s3,
  };
  const options = {
    sourceStream: uniqueName('sweep-src'),
    enrichedStream: uniqueName('sweep-enriched'),
    deadLetterStream: uniqueName('sweep-dead'),
    table: uniqueName('sweep-table'),
    bucket: uniqueName('sweep-bucket').toLowerCase(),
    reset: false,
    shards: 1,
    enrichedShards: 1,
    topology,
    joinState: 'memory' as const,
  };
  const tables = runTables(options.table);
  const plan = await planResources(clients, options, tables, 'foreign');
  await prepareResources(clients, options, tables, 'foreign', plan);
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: options.bucket,
      Key: INPUT_KEYS.products,
      Body: JSON.stringify({ productId: PRODUCT_ID, productName: 'Oak Desk', productPrice: 1 }),
    }),
  );
  const handlers = createPipelineHandlers({
    topology,
    joinState: 'memory',
    joinStateTable: tables.joinState,
    join: joinSettings,
    clients: handlerClients,
    table: options.table,
    enrichedStream: options.enrichedStream,
    deadLetterStream: options.deadLetterStream,
    products: { bucket: options.bucket, key: INPUT_KEYS.products },
  });
  const workDir = await mkdtemp(join(tmpdir(), 'kse-sweep-'));
  const mappings = new RunningMappings();
  const shared = sharedMappingSettings({
    clients,
    checkpointTable: tables.checkpoints,
    pollMs: 100,
    workDir,
    freshStreams: true,
    startedAt: Date.now(),
    log: () => undefined,
  });
  await startMappings(mappings, shared, options, handlers);

  const put = (records: object[]) =>
    clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: options.sourceStream,
        Records: records.map((record) => ({
          PartitionKey: String((record as { orderId: number }).orderId),
          Data: Buffer.from(JSON.stringify(record)),
        })),
      }),
    );

  // Polls the dead-letter stream until `count` dead letters are in it (or a deadline).
  const deadLetters = async (count: number): Promise<DeadLetterRecord[]> => {
    const { Shards } = await clients.kinesis.send(
      new ListShardsCommand({ StreamName: options.deadLetterStream }),
    );
    const { ShardIterator } = await clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: options.deadLetterStream,
        ShardId: Shards![0]!.ShardId!,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = ShardIterator;
    const found: DeadLetterRecord[] = [];
    const deadline = Date.now() + 60_000;
    // Also until the handlers' tap has counted them: a record can be read from the stream
    // before the PutRecords response that carried it is back in the handler.
    const done = () => found.length >= count && handlers.deadLettered() >= count;
    while (!done() && Date.now() < deadline && iterator !== undefined) {
      const out = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of out.Records ?? []) {
        found.push(JSON.parse(Buffer.from(record.Data!).toString('utf8')) as DeadLetterRecord);
      }
      iterator = out.NextShardIterator;
      if (!done()) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return found;
  };

  const stop = async () => {
    await mappings.stopSettled();
    handlerClients.kinesis.destroy();
    handlerClients.dynamodb.destroy();
    destroyAwsClients(clients);
    await rm(workDir, { recursive: true, force: true });
  };
  return { handlers, mappings, put, deadLetters, stop };
}

describe('kse run pipeline: expiry without traffic (the enrich mapping sweeps idle shards)', () => {
  let stop: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('dead-letters a lone item (KSE_JOIN_UNMATCHED) and a lone order (KSE_JOIN_UNMATCHED_ORDER) while their shard gets no other record', async () => {
    const pipeline = await startPipeline('seed', { time: 'arrival', windowSeconds: 1 });
    stop = pipeline.stop;
    const now = Date.now();
    await pipeline.put([order(10000001, now), item(10000002, now)]);

    const letters = await pipeline.deadLetters(2);

    expect(
      letters
        .map((l) => [l.code, l.data?.orderId])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ).toEqual([
      ['KSE_JOIN_UNMATCHED', 10000002],
      ['KSE_JOIN_UNMATCHED_ORDER', 10000001],
    ]);
    expect(pipeline.handlers.deadLettersByCode()).toEqual({
      KSE_JOIN_UNMATCHED: 1,
      KSE_JOIN_UNMATCHED_ORDER: 1,
    });
    // The shard got its two records and nothing after them: time moved by the sweep.
    const source = pipeline.mappings.all[0]!.stats();
    expect(source.counters.recordsRead).toBe(2);
    expect(source.counters.sweeps).toBeGreaterThan(0);
  });

  it.each(['seed', 'fused'] as const)(
    'joins on orderDateTime with --join-time event (%s): a pair that arrived together but is 5 s apart in event time is dead-lettered, not joined',
    async (topology) => {
      const pipeline = await startPipeline(topology, {
        time: 'event',
        latenessSeconds: 0,
        windowSeconds: 1,
      });
      stop = pipeline.stop;
      const now = Date.now();
      // One PutRecords: by arrival time they meet (same instant); by event time they do not.
      await pipeline.put([order(10000003, now - 5_000), item(10000003, now)]);

      const letters = await pipeline.deadLetters(2);

      expect(letters.map((l) => [l.code, l.data?.recordType]).sort()).toEqual([
        ['KSE_JOIN_UNMATCHED', 'OrderItem'],
        ['KSE_JOIN_UNMATCHED_ORDER', 'Order'],
      ]);
      expect(pipeline.handlers.deadLettersByCode()).toEqual({
        KSE_JOIN_UNMATCHED: 1,
        KSE_JOIN_UNMATCHED_ORDER: 1,
      });
    },
  );
});
