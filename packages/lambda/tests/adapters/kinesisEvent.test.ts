import fc from 'fast-check';
import { decodeRecord } from '@kse/schemas';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  decodeBase64,
  decodeKinesisEvent,
  decodeKinesisText,
  isLambdaError,
  shardIdOf,
} from '../../src/index.js';
import { isPaddedBase64 } from '../../src/adapters/kinesisEvent.js';
import { awsSampleEvent, eventOf, kinesisRecord, order, seq } from '../fixtures/events.js';

describe('decodeKinesisEvent', () => {
  it('decodes the documented AWS sample event to its text, shard and arrival time', () => {
    const { records, failures } = decodeKinesisEvent(awsSampleEvent);
    expect(failures).toEqual([]);
    expect(records.map(decodeKinesisText)).toEqual([
      'Hello, this is a test.',
      'This is only a test.',
    ]);
    expect(records[0]).toMatchObject({
      shardId: 'shardId-000000000006',
      partitionKey: '1',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      approximateArrivalTimestampMs: 1545084650987,
      subSequenceNumber: undefined,
      index: 0,
    });
  });

  it('takes the shard id from eventID, exactly, for any id', () => {
    const ids = ['shardId-000000000001', 'shardId-000000000002', 'shard:with:colons', 'ß\ud800é'];
    for (let round = 0; round < 2; round += 1) {
      for (const id of ids) {
        const record = { ...kinesisRecord('x', seq(1)), eventID: `${id}:${seq(round)}` };
        expect(shardIdOf(record)).toBe(id);
      }
    }
    expect(shardIdOf({ ...kinesisRecord('x', seq(1)), eventID: 'no-colon' })).toBe('no-colon');
  });

  it('round-trips a non-ASCII name through base64 and UTF-8 exactly', () => {
    const event = eventOf([kinesisRecord(JSON.stringify(order), seq(1))]);
    const { records } = decodeKinesisEvent(event);
    const text = decodeKinesisText(records[0]!);
    expect(text).toContain('Zoë Ångström 東京');
    expect(decodeRecord(records[0]!.data)).toEqual(order);
  });

  it('rejects invalid UTF-8 instead of replacing characters', () => {
    const event = eventOf([kinesisRecord(Uint8Array.of(0x7b, 0xc3, 0x28, 0x7d), seq(1))]);
    const { records } = decodeKinesisEvent(event);
    expect(() => decodeKinesisText(records[0]!)).toThrowError(/KSE_UTF8_INVALID/);
  });

  it('reports a record with invalid base64 as a failure without failing its neighbours', () => {
    const bad = kinesisRecord('x', seq(2));
    bad.kinesis.data = 'not base64!';
    const event = eventOf([kinesisRecord('{"a":1}', seq(1)), bad, kinesisRecord('{}', seq(3))]);
    const { records, failures } = decodeKinesisEvent(event);
    expect(records.map((r) => r.sequenceNumber)).toEqual([seq(1), seq(3)]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.index).toBe(1);
    expect(failures[0]!.error.code).toBe('KSE_LAMBDA_BASE64_INVALID');
    expect(failures[0]!.error.sequenceNumber).toBe(seq(2));
  });

  it('unpacks a KPL-aggregated record into user records sharing its sequence number', () => {
    const packed = aggregate([
      { partitionKey: '10000001', data: Buffer.from(JSON.stringify(order), 'utf8') },
      { partitionKey: '10000002', explicitHashKey: '42', data: Buffer.from('{"n":2}') },
      { partitionKey: '10000001', data: Buffer.from('{"n":3}') },
    ]);
    const { records, failures } = decodeKinesisEvent(eventOf([kinesisRecord(packed, seq(7))]));
    expect(failures).toEqual([]);
    expect(records.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.partitionKey])).toEqual([
      [seq(7), 0, '10000001'],
      [seq(7), 1, '10000002'],
      [seq(7), 2, '10000001'],
    ]);
    expect(records[1]!.explicitHashKey).toBe('42');
    expect(decodeKinesisText(records[0]!)).toContain('Zoë Ångström 東京');
    expect(decodeKinesisText(records[2]!)).toBe('{"n":3}');
  });

  it('passes a KPL aggregate through untouched when de-aggregation is off', () => {
    const packed = aggregate([{ partitionKey: 'k', data: Buffer.from('{}') }]);
    const event = eventOf([kinesisRecord(packed, seq(1))]);
    const { records } = decodeKinesisEvent(event, { deaggregate: false });
    expect(Buffer.from(records[0]!.data).equals(Buffer.from(packed))).toBe(true);
  });
});

describe('decodeBase64', () => {
  it('accepts exactly the strings of the padded base64 grammar', () => {
    const grammar = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const char = fc.constantFrom(...'AZaz09+/==-_ \n.');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(char, { maxLength: 13 }).map((chars) => chars.join('')),
          fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString('base64')),
          fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.nat(24), char).map(([bytes, at, c]) => {
            const text = Buffer.from(bytes).toString('base64');
            return text.slice(0, at) + c + text.slice(at + 1);
          }),
        ),
        (text) => {
          expect(isPaddedBase64(text)).toBe(grammar.test(text));
        },
      ),
      { numRuns: 20_000, seed: 3 },
    );
  });

  it('accepts padded base64 and returns its bytes', () => {
    expect(Buffer.from(decodeBase64('SGk=')).toString('utf8')).toBe('Hi');
  });

  it('fails with a typed, non-retryable error on text that is not base64', () => {
    try {
      decodeBase64('SGk', { sequenceNumber: '1' });
      expect.unreachable();
    } catch (error) {
      expect(isLambdaError(error)).toBe(true);
      expect((error as { code: string }).code).toBe('KSE_LAMBDA_BASE64_INVALID');
      expect((error as { retryable: boolean }).retryable).toBe(false);
    }
  });
});
