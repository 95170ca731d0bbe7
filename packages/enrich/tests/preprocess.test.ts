import { describe, expect, it } from 'vitest';
import { generateOrders, toDmsRecord } from '@kse/generator';
import type { DmsRecord } from '@kse/schemas';
import { createPreprocessor, isEnrichError, preprocess } from '../src/index.js';
import { item, order } from './fixtures.js';

const text = (value: unknown): string => JSON.stringify(value);
const dms = (
  data: Record<string, unknown>,
  table: string,
  operation: DmsRecord['metadata']['operation'] = 'insert',
  recordType: 'data' | 'control' = 'data',
): string =>
  text({
    data,
    metadata: {
      timestamp: '2026-01-01T00:00:00.000000Z',
      'record-type': recordType,
      operation,
      'schema-name': 'sales',
      'table-name': table,
    },
  });

describe('preprocess', () => {
  it('passes typed orders and items through with their arrival time and origin', () => {
    const result = preprocess([
      { data: text(order(1)), arrivalTime: 10, position: 'a', source: 'orders' },
      { data: Buffer.from(text(item(1, 2))), arrivalTime: 11, position: 'b' },
    ]);
    expect(result.records).toEqual([
      { record: order(1), arrivalTime: 10, position: 'a', source: 'orders' },
      { record: item(1, 2), arrivalTime: 11, position: 'b', source: undefined },
    ]);
    expect(result.counts).toMatchObject({ in: 2, orders: 1, items: 1, deadLetters: 0 });
  });

  it('adds a missing recordType by shape', () => {
    const { recordType: _o, ...bareOrder } = order(1);
    const { recordType: _i, ...bareItem } = item(1, 2);
    const result = preprocess([
      { data: text(bareOrder), arrivalTime: 0 },
      { data: text(bareItem), arrivalTime: 0 },
    ]);
    expect(result.records.map((r) => r.record)).toEqual([order(1), item(1, 2)]);
    expect(result.counts.recordTypeInferred).toBe(2);
  });

  it('drops attributes that are not in the schema, unless told to keep them', () => {
    const input = [{ data: text({ ...order(1), warehouse: 'W1' }), arrivalTime: 0 }];
    expect(preprocess(input).records[0]!.record).toEqual(order(1));
    expect(preprocess(input, { pruneAttributes: false }).records[0]!.record).toEqual({
      ...order(1),
      warehouse: 'W1',
    });
  });

  it('emits records with the schema attributes in schema order, whatever the input order', () => {
    const { recordType: _o, ...bareOrder } = order(1);
    const { orderId, ...rest } = item(1, 2);
    const inputs = [
      { data: text({ warehouse: 'W1', ...order(1) }), arrivalTime: 0 },
      { data: text(bareOrder), arrivalTime: 0 },
      { data: text({ ...rest, orderId }), arrivalTime: 0 },
      { data: text(item(1, 2)), arrivalTime: 0 },
    ];
    expect(preprocess(inputs).records.map((r) => JSON.stringify(r.record))).toEqual([
      JSON.stringify(order(1)),
      JSON.stringify(order(1)),
      JSON.stringify(item(1, 2)),
      JSON.stringify(item(1, 2)),
    ]);
  });

  it('keeps unknown attributes where the input had them when told not to prune', () => {
    const input = { warehouse: 'W1', ...item(1, 2), note: 'fragile' };
    const result = preprocess([{ data: text(input), arrivalTime: 0 }], {
      pruneAttributes: false,
    });
    expect(JSON.stringify(result.records[0]!.record)).toBe(JSON.stringify(input));
  });

  it('unwraps @kse/generator DMS records back to the same orders and items', async () => {
    const originals = [];
    for await (const record of generateOrders({ orders: 20, seed: 'dms' })) originals.push(record);
    const result = preprocess(
      originals.map((record, i) => ({
        data: text(toDmsRecord(record, { operation: i % 2 === 0 ? 'load' : 'insert' })),
        arrivalTime: i,
      })),
    );
    expect(result.deadLetters).toEqual([]);
    expect(result.records.map((r) => r.record)).toEqual(originals);
    expect(result.counts.dmsUnwrapped).toBe(originals.length);
  });

  it('maps snake_case columns, numeric strings and zone-less datetimes of a DMS row', () => {
    const result = preprocess([
      {
        data: dms(
          {
            order_id: '7',
            item_id: 9,
            item_quantity: 2,
            item_amount: '12.50',
            item_status: 'Ready',
            order_date_time: '2026-01-01 10:00:00.123',
          },
          'ORDER_ITEMS',
          'update',
        ),
        arrivalTime: 0,
      },
    ]);
    expect(result.records[0]!.record).toEqual(
      item(7, 9, { itemQuantity: 2, itemAmount: 12.5, orderDateTime: '2026-01-01T10:00:00.123Z' }),
    );
  });

  it('counts and skips DMS deletes and control records', () => {
    const result = preprocess([
      { data: dms({ order_id: 1 }, 'orders', 'delete'), arrivalTime: 0 },
      { data: dms({}, 'orders', 'create-table', 'control'), arrivalTime: 0 },
    ]);
    expect(result.records).toEqual([]);
    expect(result.deadLetters).toEqual([]);
    expect(result.counts).toMatchObject({ in: 2, skippedDeletes: 1, skippedControl: 1 });
  });

  it('dead-letters a DMS record of an unknown table with KSE_DMS_TABLE_UNKNOWN', () => {
    const result = preprocess([{ data: dms({ id: 1 }, 'customers'), arrivalTime: 0, position: 3 }]);
    expect(result.deadLetters).toEqual([
      expect.objectContaining({ code: 'KSE_DMS_TABLE_UNKNOWN', position: 3 }),
    ]);
  });

  it('dead-letters undecodable input with the @kse/schemas code and the input', () => {
    const bad = Buffer.from([0x7b, 0xff, 0x7d]);
    const result = preprocess([
      { data: '{"orderId": 1,', arrivalTime: 0, position: 1, source: 's' },
      { data: bad, arrivalTime: 0, position: 2 },
      { data: text({ ...item(1, 2), itemQuantity: 0 }), arrivalTime: 0, position: 3 },
      { data: text({ recordType: 'Refund' }), arrivalTime: 0, position: 4 },
    ]);
    expect(result.deadLetters.map((d) => [d.code, d.position])).toEqual([
      ['KSE_JSON_INVALID', 1],
      ['KSE_UTF8_INVALID', 2],
      ['KSE_SCHEMA_INVALID', 3],
      ['KSE_RECORD_TYPE_UNKNOWN', 4],
    ]);
    expect(result.deadLetters[0]).toMatchObject({ source: 's', data: '{"orderId": 1,' });
    expect(result.deadLetters[1]!.data).toBe(`base64:${bad.toString('base64')}`);
    expect(result.counts).toMatchObject({ in: 4, deadLetters: 4 });
  });

  it('rejects a dmsTables entry that is not a record type', () => {
    let error: unknown;
    try {
      createPreprocessor({ dmsTables: { orders: 'Invoice' as 'Order' } });
    } catch (e) {
      error = e;
    }
    expect(isEnrichError(error) && error.code).toBe('KSE_OPTIONS_INVALID');
  });
});
