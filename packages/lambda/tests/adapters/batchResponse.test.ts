import { describe, expect, it } from 'vitest';
import { aggregate, processKinesisEvent, toBatchResponse } from '../../src/index.js';
import { eventOf, kinesisRecord, seq } from '../fixtures/events.js';

const event = eventOf([1, 2, 3, 4].map((n) => kinesisRecord(`{"n":${n}}`, seq(n))));

describe('toBatchResponse', () => {
  it('lists failed sequence numbers as itemIdentifier in event order', () => {
    expect(toBatchResponse(event, [seq(4), seq(2)])).toEqual({
      batchItemFailures: [{ itemIdentifier: seq(2) }, { itemIdentifier: seq(4) }],
    });
  });

  it('returns an empty list when nothing failed', () => {
    expect(toBatchResponse(event, [])).toEqual({ batchItemFailures: [] });
  });

  it('refuses a sequence number that is not in the batch', () => {
    expect(() => toBatchResponse(event, [seq(9)])).toThrowError(/not in the batch/);
  });
});

describe('processKinesisEvent', () => {
  it('reports the records the processor failed', async () => {
    const response = await processKinesisEvent(event, async (records) => ({
      failed: records.filter((r) => r.sequenceNumber === seq(3)),
    }));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(3) }] });
  });

  it('throws when every record failed, so that Lambda retries or bisects the batch', async () => {
    await expect(
      processKinesisEvent(event, async (records) => ({ failed: records })),
    ).rejects.toMatchObject({ code: 'KSE_LAMBDA_BATCH_FAILED' });
  });

  it('returns every record as a failure when told not to throw on a full failure', async () => {
    const response = await processKinesisEvent(event, async (records) => ({ failed: records }), {
      throwOnFullBatchFailure: false,
    });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([1, 2, 3, 4].map(seq));
  });

  it('reports an undecodable record as a failure while the others are processed', async () => {
    const bad = kinesisRecord('x', seq(2));
    bad.kinesis.data = '%%%';
    const mixed = eventOf([kinesisRecord('{"n":1}', seq(1)), bad]);
    const seen: string[] = [];
    const response = await processKinesisEvent(mixed, async (records) => {
      seen.push(...records.map((r) => r.sequenceNumber));
    });
    expect(seen).toEqual([seq(1)]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(2) }] });
  });

  it('reports a KPL aggregate once even when several of its user records failed', async () => {
    const packed = aggregate([
      { partitionKey: 'a', data: Buffer.from('1') },
      { partitionKey: 'b', data: Buffer.from('2') },
    ]);
    const withAggregate = eventOf([kinesisRecord(packed, seq(1)), kinesisRecord('3', seq(2))]);
    const response = await processKinesisEvent(withAggregate, async (records) => ({
      failed: records.slice(0, 2),
    }));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(1) }] });
  });
});
