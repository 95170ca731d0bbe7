/**
 * 100 k-record run of the local event source mapping on the embedded local stack.
 *
 * Two passes over the same generated records (seeded), each on a fresh 4-shard stream,
 * with the mapping started first and the producer writing as fast as it can:
 *   1. baseline — a handler that does nothing: the mapping's own cost;
 *   2. fused enrich — preprocess + interval join + products + BatchWriter to DynamoDB.
 * Prints iterator age (Lambda's IteratorAge: now − arrival of a batch's last record, at
 * invocation) and per-batch handler duration, as percentiles, and pass 2 against pass 1.
 *
 *   npx nx run @kse/lambda:bench          (KSE_BENCH_RECORDS=… to change the size)
 */
import { generateOrders, generateProducts } from '@kse/generator';
import { InMemoryJoinStore, loadReferenceTable } from '@kse/enrich';
import {
  createDynamoDbClient,
  createKinesisClient,
  ensureStream,
  ensureTable,
  startLocalStack,
} from '@kse/local-stack';
import { encodeRecord, ENRICHED_TABLE_KEY } from '@kse/schemas';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  createEnrichHandler,
  startEventSourceMapping,
  type BatchInvocationInfo,
  type KinesisLambdaHandler,
} from '../src/index.js';

process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const TARGET = Number(process.env.KSE_BENCH_RECORDS ?? 100_000);
const SHARDS = 4;
const SEED = 'lambda-bench';
const PRODUCTS = 1000;

interface Pass {
  name: string;
  records: number;
  seconds: number;
  batches: BatchInvocationInfo[];
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function describe(values: number[]): string {
  const f = (n: number) => n.toFixed(1).padStart(8);
  return `p50 ${f(percentile(values, 50))}  p95 ${f(percentile(values, 95))}  max ${f(Math.max(...values))}  mean ${f(values.reduce((a, b) => a + b, 0) / values.length)}`;
}

async function produce(
  kinesis: KinesisClient,
  streamName: string,
  records: { pk: string; data: Uint8Array }[],
) {
  const inFlight = 4;
  let next = 0;
  async function worker() {
    while (next < records.length) {
      const chunk = records.slice(next, next + 500);
      next += 500;
      const response = await kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: chunk.map((r) => ({ PartitionKey: r.pk, Data: r.data })),
        }),
      );
      if (response.FailedRecordCount) throw new Error('PutRecords failed in the bench');
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
}

async function main() {
  const stack = await startLocalStack({ speedups: true });
  const kinesis = createKinesisClient(stack.config);
  const dynamodb = createDynamoDbClient(stack.config, { maxAttempts: 3 });
  try {
    const orders = Math.ceil(TARGET / 3);
    const records: { pk: string; data: Uint8Array }[] = [];
    for await (const record of generateOrders({ orders, products: PRODUCTS, seed: SEED })) {
      records.push({ pk: String(record.orderId), data: encodeRecord(record) });
    }
    const productList = [];
    for await (const product of generateProducts({ products: PRODUCTS, seed: SEED }))
      productList.push(product);
    const products = await loadReferenceTable({ products: productList });
    console.log(
      `records: ${records.length} (${orders} orders with 2 items), ${SHARDS} shards, batchSize 500`,
    );

    const passes: Pass[] = [];
    async function run(name: string, handler: KinesisLambdaHandler, expectSucceeded: number) {
      const streamName = `bench-${name}-${Date.now()}`;
      await ensureStream(kinesis, { streamName, shardCount: SHARDS });
      const batches: BatchInvocationInfo[] = [];
      const mapping = await startEventSourceMapping({
        kinesis,
        dynamodb,
        streamName,
        handler,
        mappingName: streamName,
        batchSize: 500,
        startingPosition: 'TRIM_HORIZON',
        functionResponseTypes: ['ReportBatchItemFailures'],
        onBatch: (info) => batches.push(info),
      });
      const started = performance.now();
      await produce(kinesis, streamName, records);
      const produced = (performance.now() - started) / 1000;
      while (mapping.stats().counters.recordsSucceeded < expectSucceeded) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const seconds = (performance.now() - started) / 1000;
      const { counters } = mapping.stats();
      await mapping.stop();
      console.log(
        `\n[${name}] produced in ${produced.toFixed(1)} s, consumed all in ${seconds.toFixed(1)} s (${Math.round(records.length / seconds)} rec/s)`,
      );
      console.log(
        `  invocations ${counters.invocations}, errors ${counters.functionErrors}, partial ${counters.partialFailures}, dead-lettered ${counters.recordsDeadLettered}, checkpoints ${counters.checkpoints}`,
      );
      console.log(`  iterator age ms      ${describe(batches.map((b) => b.iteratorAgeMs))}`);
      console.log(`  handler duration ms  ${describe(batches.map((b) => b.durationMs))}`);
      console.log(`  batch size           ${describe(batches.map((b) => b.size))}`);
      passes.push({ name, records: records.length, seconds, batches });
    }

    await run('baseline', async () => undefined, records.length);

    const tableName = `bench-enriched-${Date.now()}`;
    await ensureTable(dynamodb, {
      tableName,
      partitionKey: ENRICHED_TABLE_KEY.partitionKey,
      sortKey: ENRICHED_TABLE_KEY.sortKey,
    });
    const enrich = createEnrichHandler({
      env: {},
      kinesis,
      dynamodb,
      topology: 'fused',
      tableName,
      products,
      joinStore: () => new InMemoryJoinStore(),
    });
    await run('fused-enrich', enrich, records.length);

    const [base, fused] = passes as [Pass, Pass];
    const p50 = (pass: Pass, pick: (b: BatchInvocationInfo) => number) =>
      percentile(pass.batches.map(pick), 50);
    const ratio = (pick: (b: BatchInvocationInfo) => number) =>
      (p50(fused, pick) / Math.max(1, p50(base, pick))).toFixed(2);
    console.log(
      `\nfused-enrich / baseline: wall ${(fused.seconds / base.seconds).toFixed(2)}x, ` +
        `p50 iterator age ${ratio((b) => b.iteratorAgeMs)}x ` +
        '(the baseline handler takes ~0 ms, so handler durations are absolute above)',
    );
  } finally {
    kinesis.destroy();
    dynamodb.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
