import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aggregate, deaggregate, isKplAggregated, KPL_MAGIC } from '../../src/index.js';

describe('deaggregate', () => {
  it('decodes a hand-built AggregatedRecord with tags it must skip', () => {
    // AggregatedRecord { partition_key_table: ["pk"], records: [{ pk_index: 0, data: "hi", tags: [{key:"t"}] }] }
    const record = Buffer.from([0x08, 0x00, 0x1a, 0x02, 0x68, 0x69, 0x22, 0x03, 0x0a, 0x01, 0x74]);
    const body = Buffer.concat([
      Buffer.from([0x0a, 0x02, 0x70, 0x6b]),
      Buffer.from([0x1a, record.length]),
      record,
    ]);
    const bytes = Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);
    expect(isKplAggregated(bytes)).toBe(true);
    expect(deaggregate(bytes)).toEqual([{ partitionKey: 'pk', data: Buffer.from('hi') }]);
  });

  it('round-trips 300 user records with multi-byte varints', () => {
    const users = Array.from({ length: 300 }, (_, i) => ({
      partitionKey: `key-${i % 150}`,
      data: Buffer.from(`{"i":${i},"pad":"${'x'.repeat(i)}"}`),
    }));
    const back = deaggregate(aggregate(users));
    expect(back.map((u) => u.partitionKey)).toEqual(users.map((u) => u.partitionKey));
    expect(back.map((u) => Buffer.from(u.data).toString())).toEqual(
      users.map((u) => u.data.toString()),
    );
  });

  it('rejects an aggregate whose MD5 trailer does not match', () => {
    const bytes = Buffer.from(aggregate([{ partitionKey: 'k', data: Buffer.from('{}') }]));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    expect(() => deaggregate(bytes)).toThrowError(/KSE_LAMBDA_KPL_INVALID.*MD5/);
  });

  it('rejects an aggregate whose protobuf is truncated', () => {
    const body = Buffer.from([0x0a, 0x05, 0x70]);
    const bytes = Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);
    expect(() => deaggregate(bytes)).toThrowError(/KSE_LAMBDA_KPL_INVALID/);
  });

  it('does not take plain JSON for an aggregate', () => {
    expect(isKplAggregated(Buffer.from('{"orderId":10000001,"recordType":"Order"}'))).toBe(false);
  });
});
