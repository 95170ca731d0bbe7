import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  ENRICHED_FIELDS,
  dynamoItemSize,
  enrichedItemKey,
  fromDynamoItem,
  toDynamoItem,
  type SchemaError,
} from '../src/index.js';
import { enriched } from './fixtures.js';

describe('DynamoDB mapping', () => {
  it('maps numbers to N and strings to S, and round-trips a row', () => {
    const item = toDynamoItem(enriched);
    expect(item.orderId).toEqual({ N: '10000001' });
    expect(item.orderAmount).toEqual({ N: '259.98' });
    expect(item.shipToName).toEqual({ S: 'Zoë Ångström 東京' });
    expect(item.event_ts).toEqual({ N: '1767225600123' });
    expect(fromDynamoItem(item)).toEqual(enriched);
  });

  it('writes every field of a full row, numbers as N and strings as S, in a fixed order', () => {
    const item = toDynamoItem(enriched);
    expect(Object.entries(item).map(([name, value]) => `${name}:${Object.keys(value)[0]}`)).toEqual(
      [
        'orderId:N',
        'orderAmount:N',
        'itemId:N',
        'itemAmount:N',
        'itemQuantity:N',
        'order_arrival_ts:N',
        'item_arrival_ts:N',
        'orderStatus:S',
        'orderDateTime:S',
        'shipToName:S',
        'shipToAddress:S',
        'shipToCity:S',
        'shipToState:S',
        'shipToZip:S',
        'itemStatus:S',
        'event_ts:N',
        'productName:S',
      ],
    );
    expect([...Object.keys(item)].sort()).toEqual([...ENRICHED_FIELDS].sort());
  });

  it('writes a null productName as an absent attribute and reads it back as null', () => {
    const item = toDynamoItem({ ...enriched, productName: null });
    expect('productName' in item).toBe(false);
    expect(fromDynamoItem(item).productName).toBeNull();
    expect(fromDynamoItem({ ...item, productName: { NULL: true } }).productName).toBeNull();
  });

  it('keeps an ISO event_ts as a string', () => {
    const row = { ...enriched, event_ts: '2026-01-01T00:00:00.123Z' };
    expect(toDynamoItem(row).event_ts).toEqual({ S: '2026-01-01T00:00:00.123Z' });
    expect(fromDynamoItem(toDynamoItem(row))).toEqual(row);
  });

  it('builds the table key', () => {
    expect(enrichedItemKey(enriched)).toEqual({
      orderId: { N: '10000001' },
      itemId: { N: '999900001' },
    });
  });

  it('rejects an item over 400 KB with KSE_ITEM_TOO_LARGE', () => {
    expect(() => toDynamoItem({ ...enriched, shipToAddress: 'x'.repeat(400 * 1024) })).toThrow(
      expect.objectContaining({ code: 'KSE_ITEM_TOO_LARGE', position: '10000001/999900001' }),
    );
  });

  it('rejects an item that is not an enriched row with KSE_ITEM_INVALID', () => {
    const { shipToCity: _omitted, ...item } = toDynamoItem(enriched);
    try {
      fromDynamoItem(item);
      expect.unreachable();
    } catch (error) {
      expect((error as SchemaError).code).toBe('KSE_ITEM_INVALID');
      expect((error as SchemaError).issues[0]?.path).toEqual(['shipToCity']);
    }
    const withStringSet: Record<string, AttributeValue> = {
      ...toDynamoItem(enriched),
      tags: { SS: ['a'] },
    };
    expect(() => fromDynamoItem(withStringSet)).toThrow(/KSE_ITEM_INVALID: attribute tags/);
  });

  it('sizes an item as DynamoDB does: names plus values', () => {
    expect(dynamoItemSize({ a: { S: 'héllo' } })).toBe(1 + 6);
    expect(dynamoItemSize({ n: { N: '12345' } })).toBe(1 + 4);
    expect(dynamoItemSize({ z: { NULL: true } })).toBe(2);
  });
});
