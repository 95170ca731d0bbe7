import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  deaggregate,
  isKplAggregated,
  isSchemaError,
  KPL_MAGIC,
  KPL_OVERHEAD_BYTES,
  kplKeySize,
  kplUserRecordSize,
  type KplUserRecord,
} from '../src/index.js';

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
    expect(() => deaggregate(bytes)).toThrowError(/KSE_KPL_INVALID.*MD5/);
  });

  it('rejects an aggregate whose protobuf is truncated', () => {
    const body = Buffer.from([0x0a, 0x05, 0x70]);
    const bytes = Buffer.concat([KPL_MAGIC, body, createHash('md5').update(body).digest()]);
    expect(() => deaggregate(bytes)).toThrowError(/KSE_KPL_INVALID/);
  });

  it('does not take plain JSON for an aggregate', () => {
    expect(isKplAggregated(Buffer.from('{"orderId":10000001,"recordType":"Order"}'))).toBe(false);
  });
});

describe('KPL errors', () => {
  it('are SchemaErrors with code KSE_KPL_INVALID, never retryable', () => {
    const error = (() => {
      try {
        deaggregate(Buffer.from('{"orderId":1}'));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isSchemaError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'KSE_KPL_INVALID', retryable: false });
  });
});

describe('aggregate sizes', () => {
  // The size a producer computes before packing, from the parts.
  function predicted(records: readonly KplUserRecord[]): number {
    const keys = new Map<string, number>();
    const hashKeys = new Map<string, number>();
    let size = KPL_OVERHEAD_BYTES;
    for (const record of records) {
      if (!keys.has(record.partitionKey)) {
        keys.set(record.partitionKey, keys.size);
        size += kplKeySize(record.partitionKey);
      }
      if (record.explicitHashKey !== undefined && !hashKeys.has(record.explicitHashKey)) {
        hashKeys.set(record.explicitHashKey, hashKeys.size);
        size += kplKeySize(record.explicitHashKey);
      }
    }
    for (const record of records) {
      size += kplUserRecordSize(
        record.data.length,
        keys.get(record.partitionKey),
        record.explicitHashKey === undefined ? undefined : hashKeys.get(record.explicitHashKey),
      );
    }
    return size;
  }

  it('adds up to the length of the packed bytes, with multi-byte varints and keys', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            partitionKey: fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }),
            explicitHashKey: fc.option(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), {
              nil: undefined,
            }),
            size: fc.integer({ min: 0, max: 20_000 }),
          }),
          { minLength: 1, maxLength: 200 },
        ),
        (specs) => {
          const records: KplUserRecord[] = specs.map((spec, i) => ({
            partitionKey: spec.partitionKey,
            ...(spec.explicitHashKey === undefined
              ? {}
              : { explicitHashKey: spec.explicitHashKey.toString() }),
            data: Buffer.alloc(spec.size, i % 256),
          }));
          expect(aggregate(records).length).toBe(predicted(records));
        },
      ),
      { seed: 20, numRuns: 200 },
    );
  });

  it('counts the length varint growing to two bytes at 128 bytes of data', () => {
    expect(kplUserRecordSize(128) - kplUserRecordSize(127)).toBe(2);
    expect(aggregate([{ partitionKey: 'k', data: Buffer.alloc(128) }]).length).toBe(
      KPL_OVERHEAD_BYTES + kplKeySize('k') + kplUserRecordSize(128),
    );
  });
});
