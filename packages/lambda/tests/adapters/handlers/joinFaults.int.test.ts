// Issue 18's scenario, on the local stack with real SDK clients: an item in batch 1; its
// order and a record 10 minutes later (event time) in batch 2, whose output fails once;
// the event source mapping retries the batch. The pair's row must come out.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEnrichHandler,
  type BatchInvocationInfo,
  type EnrichHandler,
  type EnrichHandlerOptions,
  type KinesisLambdaHandler,
} from '../../../src/index.js';
import { putRecords, waitFor } from '../../helpers.js';
import {
  PRODUCT,
  deadLetters,
  enrichedTable,
  entries,
  failFirst,
  handlerClients,
  item,
  joinState,
  kinesis,
  map,
  order,
  products,
  readStream,
  running,
  scanTable,
  stream,
  type StoreKind,
} from './joinHarness.js';

afterEach(async () => {
  await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
});

/** Batch 1: the item; batch 2: its order (30 s later) and an order 10 minutes on. */
async function runScenario(
  source: string,
  handler: KinesisLambdaHandler,
): Promise<BatchInvocationInfo[]> {
  const batches: BatchInvocationInfo[] = [];
  const mapping = await map(source, { handler, onBatch: (info) => batches.push(info) });
  await putRecords(kinesis, source, entries([item(1, 0)]));
  await waitFor(() => mapping.stats().counters.recordsSucceeded === 1, 'batch 1');
  await putRecords(kinesis, source, entries([order(1, 30_000), order(2, 600_000)]));
  await waitFor(() => mapping.stats().counters.recordsSucceeded === 3, 'batch 2, retried');
  return batches;
}

const eventTime = { joinTime: 'event', joinWindowSeconds: 60 } satisfies EnrichHandlerOptions;

describe.each<StoreKind>(['memory', 'dynamodb'])(
  'the join loses no row on a retry (%s store)',
  (kind) => {
    it('seed topology: the enriched stream’s PutRecords fails once (503) and the retried batch emits the row', async () => {
      const source = await stream('src');
      const enriched = await stream('enr');
      const dlq = await stream('dlq');
      const clients = handlerClients();
      const fault = failFirst(
        clients.kinesis,
        (command, input) => command === 'PutRecordsCommand' && input.StreamName === enriched,
        'before',
      );
      const handler = createEnrichHandler({
        env: {},
        ...clients,
        ...(await joinState(kind)),
        ...eventTime,
        enrichedStream: enriched,
        deadLetterStream: dlq,
        products: await products(),
      });
      const batches = await runScenario(source, handler);
      expect(fault.fired()).toBe(true);
      // The failed invocation was batch 2 itself (both orders), then its retry succeeded.
      expect(batches.map((b) => [b.size, b.outcome])).toEqual([
        [1, 'success'],
        [2, 'error'],
        [2, 'success'],
      ]);
      const rows = (await readStream(enriched)).map((text) => JSON.parse(text) as never);
      expect(rows).toEqual([
        expect.objectContaining({ orderId: 1, itemId: PRODUCT, productName: 'Desk' }),
      ]);
      expect((await deadLetters(dlq)).filter((l) => l.data?.orderId === 1)).toEqual([]);
    });

    it('fused topology: the table’s BatchWriteItem fails once (503) and the retried batch writes the row', async () => {
      const source = await stream('src-fused');
      const dlq = await stream('dlq');
      const tableName = await enrichedTable();
      const clients = handlerClients();
      const fault = failFirst(
        clients.dynamodb,
        (command, input) =>
          command === 'BatchWriteItemCommand' &&
          Object.keys((input.RequestItems as object | undefined) ?? {}).includes(tableName),
        'before',
      );
      const handler = createEnrichHandler({
        env: {},
        ...clients,
        ...(await joinState(kind)),
        ...eventTime,
        topology: 'fused',
        tableName,
        deadLetterStream: dlq,
        products: await products(),
        batchWriter: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 2 },
      });
      const batches = await runScenario(source, handler);
      expect(fault.fired()).toBe(true);
      // The row that was not written is answered with a partial batch response (the records
      // from its input on are retried), not a failed invocation.
      expect(batches.map((b) => b.outcome)).toEqual(['success', 'partial', 'success']);
      const items = await scanTable(tableName);
      expect(items.map((i) => [i.orderId?.N, i.itemId?.N, i.productName?.S])).toEqual([
        ['1', String(PRODUCT), 'Desk'],
      ]);
      expect((await deadLetters(dlq)).filter((l) => l.data?.orderId === 1)).toEqual([]);
    });

    it('the process dies between output and commit; a new handler instance on the durable state emits the row again, identical', async () => {
      const source = await stream('src-kill');
      const enriched = await stream('enr');
      const state = await joinState(kind);
      const productList = await products();
      let instances = 0;
      const build = (): EnrichHandler => {
        instances += 1;
        const clients = handlerClients();
        if (instances === 1) {
          failFirst(
            clients.kinesis,
            (command, input) => command === 'PutRecordsCommand' && input.StreamName === enriched,
            'after',
            // The container is gone: the retry lands on a new one (a cold start).
            () => queueMicrotask(() => (current = build())),
          );
        }
        return createEnrichHandler({
          env: {},
          ...clients,
          ...state,
          ...eventTime,
          enrichedStream: enriched,
          products: productList,
        });
      };
      let current = build();
      const batches = await runScenario(source, (event, context) => current(event, context));
      expect(instances).toBe(2);
      expect(batches.map((b) => b.outcome)).toEqual(['success', 'error', 'success']);
      // Once from the instance that died after its output, once from the retry: the same bytes.
      const rows = await readStream(enriched);
      expect(rows).toHaveLength(2);
      expect(rows[1]).toBe(rows[0]);
      expect(JSON.parse(rows[0]!)).toMatchObject({ orderId: 1, itemId: PRODUCT });
    });
  },
);
