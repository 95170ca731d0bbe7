import * as schemas from '@kse/schemas';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  decodeKinesisEvent,
  deaggregate,
  isKplAggregated,
  KPL_MAGIC,
} from '../../src/index.js';
import { eventOf, kinesisRecord, seq } from '../fixtures/events.js';

// The KPL format itself is tested in @kse/schemas, where it lives.
describe('the KPL format in @kse/lambda', () => {
  it('is the one of @kse/schemas, exported under the same names', () => {
    expect(aggregate).toBe(schemas.aggregate);
    expect(deaggregate).toBe(schemas.deaggregate);
    expect(isKplAggregated).toBe(schemas.isKplAggregated);
    expect(KPL_MAGIC).toBe(schemas.KPL_MAGIC);
  });

  it('turns an aggregate with a bad MD5 into a KSE_LAMBDA_KPL_INVALID failure of its record', () => {
    const bytes = Buffer.from(aggregate([{ partitionKey: 'k', data: Buffer.from('{}') }]));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    const { records, failures } = decodeKinesisEvent(
      eventOf([kinesisRecord('{"n":1}', seq(1)), kinesisRecord(bytes, seq(2))]),
    );
    expect(records.map((r) => r.sequenceNumber)).toEqual([seq(1)]);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error.code).toBe('KSE_LAMBDA_KPL_INVALID');
    expect(failures[0]!.error.sequenceNumber).toBe(seq(2));
    expect(failures[0]!.error.message).toMatch(/MD5/);
  });
});
