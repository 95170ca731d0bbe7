// Time moves without traffic: an unmatched item on a shard that never gets another record
// is dead-lettered — by the local event source mapping's idle sweep, and on AWS by the
// scheduled sweeper.
import { afterEach, describe, expect, it } from 'vitest';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { KPL_MAGIC, createEnrichHandler, createSweeperHandler } from '../../../src/index.js';
import { putRecords, waitFor } from '../../helpers.js';
import {
  deadLetters,
  entries,
  handlerClients,
  item,
  joinState,
  kinesis,
  map,
  order,
  products,
  running,
  stream,
  type StoreKind,
} from './joinHarness.js';

afterEach(async () => {
  await Promise.all(running.splice(0).map((mapping) => mapping.stop()));
});

// A one-second window keeps the tests short; arrival time (Kinesis arrival, the default).
const window = { joinWindowSeconds: 1 };

describe.each<StoreKind>(['memory', 'dynamodb'])('an idle shard (%s store)', (kind) => {
  it('dead-letters an unmatched item when no record follows it (the mapping’s idle sweep)', async () => {
    const source = await stream('src-idle');
    const enriched = await stream('enr');
    const dlq = await stream('dlq');
    const handler = createEnrichHandler({
      env: {},
      ...handlerClients(),
      ...(await joinState(kind)),
      ...window,
      enrichedStream: enriched,
      deadLetterStream: dlq,
      products: await products(),
    });
    const mapping = await map(source, { handler, sweep: handler.sweep });
    await putRecords(kinesis, source, entries([item(7)]));
    await waitFor(
      async () => (await deadLetters(dlq)).length > 0,
      'the dead letter of the unmatched item',
      30_000,
    );
    expect(await deadLetters(dlq)).toEqual([
      expect.objectContaining({ code: 'KSE_JOIN_UNMATCHED', data: item(7) }),
    ]);
    expect(mapping.stats().counters.sweeps).toBeGreaterThan(0);
    expect(mapping.stats().counters.invocations).toBe(1); // sweeps are not invocations
  });
});

describe('the AWS sweeper (DynamoDB store)', () => {
  /** An item processed by the enrich handler (then any `extra` raw records); the mapping stopped. */
  async function processedItem(extra: Uint8Array[] = []): Promise<{
    source: string;
    dlq: string;
    joinStateTable: string;
  }> {
    const source = await stream('src-sweeper');
    const enriched = await stream('enr');
    const dlq = await stream('dlq');
    const state = (await joinState('dynamodb')) as { joinStateTable: string };
    const handler = createEnrichHandler({
      env: {},
      ...handlerClients(),
      ...state,
      ...window,
      enrichedStream: enriched,
      deadLetterStream: dlq,
      products: await products(),
    });
    const mapping = await map(source, { handler });
    await putRecords(kinesis, source, entries([item(8)]));
    await waitFor(() => mapping.stats().counters.recordsSucceeded === 1, 'the item processed');
    if (extra.length > 0) {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: source,
          Records: extra.map((data) => ({ PartitionKey: '8', Data: data })),
        }),
      );
      await waitFor(
        () => mapping.stats().counters.recordsSucceeded === 1 + extra.length,
        'the extra records processed',
      );
    }
    await mapping.stop();
    return { source, dlq, joinStateTable: state.joinStateTable };
  }

  const sweeperOf = (setup: { source: string; dlq: string; joinStateTable: string }) =>
    createSweeperHandler({
      env: {},
      ...handlerClients(),
      ...window,
      sourceStream: setup.source,
      joinStateTable: setup.joinStateTable,
      deadLetterStream: setup.dlq,
      sweepIntervalSeconds: 1,
      sweepBudgetSeconds: 5,
      // The schedule's next run, a few seconds on: the one-second window has passed.
      now: () => Date.now() + 5_000,
    });

  it('dead-letters the unmatched item of a shard that gets no invocation, once', async () => {
    const setup = await processedItem();
    const sweeper = sweeperOf(setup);
    const report = await sweeper();
    expect(report).toMatchObject({
      shards: 1,
      swept: ['shardId-000000000000'],
      skipped: [],
      deadLettered: 1,
      conflicts: 0,
    });
    expect((await sweeper()).deadLettered).toBe(0);
    expect(await deadLetters(setup.dlq)).toEqual([
      expect.objectContaining({ code: 'KSE_JOIN_UNMATCHED', data: item(8) }),
    ]);
  });

  it('leaves a shard alone while it holds a record its consumer has not processed', async () => {
    const setup = await processedItem();
    // The consumer is stopped: this record waits in the shard, and it could match.
    await putRecords(kinesis, setup.source, entries([order(8)]));
    const report = await sweeperOf(setup)();
    expect(report.skipped).toEqual([{ shardId: 'shardId-000000000000', reason: 'behind' }]);
    expect(report.deadLettered).toBe(0);
    expect(await deadLetters(setup.dlq)).toEqual([]);
  });

  it('takes a shard whose last batch was all undecodable (dead-lettered) as caught up', async () => {
    // A KPL aggregate with a bad MD5: not a record the handler can decode.
    const corrupt = Uint8Array.from([...KPL_MAGIC, ...new Uint8Array(20).fill(7)]);
    const setup = await processedItem([corrupt]);
    const report = await sweeperOf(setup)();
    expect(report).toMatchObject({ swept: ['shardId-000000000000'], deadLettered: 1 });
    expect((await deadLetters(setup.dlq)).map((letter) => letter.code).sort()).toEqual([
      'KSE_JOIN_UNMATCHED',
      'KSE_UTF8_INVALID',
    ]);
  });
});
