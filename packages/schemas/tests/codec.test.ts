import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  decodeRecord,
  encodeRecord,
  isSchemaError,
  LIMITS,
  ProductSchema,
  safeDecodeRecord,
  type SchemaError,
  type SchemaErrorCode,
} from '../src/index.js';
import { item, order } from './fixtures.js';

function codeOf(run: () => unknown): SchemaErrorCode {
  try {
    run();
  } catch (error) {
    expect(isSchemaError(error)).toBe(true);
    return (error as SchemaError).code;
  }
  throw new Error('expected a SchemaError');
}

describe('decodeRecord', () => {
  it('round-trips an order with a non-ASCII name through UTF-8 bytes exactly', () => {
    const bytes = encodeRecord(order);
    expect(Buffer.from(bytes).toString('utf8')).toContain('Zoë Ångström 東京');
    expect(decodeRecord(bytes)).toEqual(order);
  });

  it('decodes an order item from a string', () => {
    expect(decodeRecord(JSON.stringify(item))).toEqual(item);
  });

  it('strips attributes that are not in the schema', () => {
    const decoded = decodeRecord(JSON.stringify({ ...item, warehouse: 'B7' }));
    expect(decoded).toEqual(item);
    expect(Object.keys(decoded)).not.toContain('warehouse');
  });

  it('rejects invalid JSON with KSE_JSON_INVALID', () => {
    expect(codeOf(() => decodeRecord('{"orderId": 1,'))).toBe('KSE_JSON_INVALID');
  });

  it('rejects a wrong field type with KSE_SCHEMA_INVALID naming the field', () => {
    const result = safeDecodeRecord(JSON.stringify({ ...order, orderAmount: '12.50' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('KSE_SCHEMA_INVALID');
    expect(result.error.issues.map((issue) => issue.path.join('.'))).toEqual(['orderAmount']);
    expect(result.error.reason).toMatch(/^orderAmount: /);
  });

  it("says why in English, whatever zod's global locale (zod/mini sets none)", () => {
    const result = safeDecodeRecord(JSON.stringify({ ...item, orderAmount: 1, itemQuantity: 0 }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.reason).toBe('itemQuantity: Too small: expected number to be >0');
    const typed = safeDecodeRecord(JSON.stringify({ ...order, orderAmount: '12.50' }));
    expect(typed.ok || typed.error.reason).toBe(
      'orderAmount: Invalid input: expected number, received string',
    );
  });

  it('rejects a record without orderId with KSE_SCHEMA_INVALID', () => {
    const { orderId: _omitted, ...rest } = item;
    const result = safeDecodeRecord(JSON.stringify(rest));
    expect(result.ok || result.error.code).toBe('KSE_SCHEMA_INVALID');
    expect(result.ok || result.error.issues[0]?.path).toEqual(['orderId']);
  });

  it('rejects an unknown recordType with KSE_RECORD_TYPE_UNKNOWN', () => {
    expect(codeOf(() => decodeRecord(JSON.stringify({ ...item, recordType: 'Refund' })))).toBe(
      'KSE_RECORD_TYPE_UNKNOWN',
    );
  });

  it('rejects a missing recordType with KSE_SCHEMA_INVALID', () => {
    const { recordType: _omitted, ...rest } = order;
    expect(codeOf(() => decodeRecord(JSON.stringify(rest)))).toBe('KSE_SCHEMA_INVALID');
  });

  it('rejects a JSON value that is not an object', () => {
    expect(codeOf(() => decodeRecord('[1,2]'))).toBe('KSE_SCHEMA_INVALID');
    expect(codeOf(() => decodeRecord('null'))).toBe('KSE_SCHEMA_INVALID');
  });

  it('rejects a 2 MiB record with KSE_RECORD_TOO_LARGE before parsing it', () => {
    const big = JSON.stringify({ ...order, shipToAddress: 'x'.repeat(2 * 1024 * 1024) });
    expect(codeOf(() => decodeRecord(big))).toBe('KSE_RECORD_TOO_LARGE');
    expect(codeOf(() => decodeRecord(Buffer.from(big)))).toBe('KSE_RECORD_TOO_LARGE');
  });

  it('accepts a record of exactly the Kinesis limit and honours a smaller maxBytes', () => {
    const base = JSON.stringify({ ...order, shipToAddress: '' });
    const exact = JSON.stringify({
      ...order,
      shipToAddress: 'x'.repeat(LIMITS.kinesisMaxRecordBytes - Buffer.byteLength(base)),
    });
    expect(Buffer.byteLength(exact)).toBe(LIMITS.kinesisMaxRecordBytes);
    expect(decodeRecord(exact)).toMatchObject({ orderId: order.orderId });
    expect(codeOf(() => decodeRecord(JSON.stringify(order), { maxBytes: 10 }))).toBe(
      'KSE_RECORD_TOO_LARGE',
    );
  });

  it('rejects invalid UTF-8 bytes with KSE_UTF8_INVALID instead of replacing them', () => {
    const good = Buffer.from(JSON.stringify(order));
    const bad = Buffer.concat([good.subarray(0, 20), Buffer.from([0xc3, 0x28]), good.subarray(20)]);
    expect(codeOf(() => decodeRecord(bad))).toBe('KSE_UTF8_INVALID');
  });

  it('names the origin of a bad record on the error and in its message', () => {
    const result = safeDecodeRecord('nope', { source: 'orders.json', position: 42 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ source: 'orders.json', position: 42, retryable: false });
    expect(result.error.message).toBe(`KSE_JSON_INVALID: ${result.error.reason} (orders.json @42)`);
    expect(result.error.toJSON()).toMatchObject({ code: 'KSE_JSON_INVALID', position: 42 });
  });

  it('decodes an AWS DMS envelope', () => {
    const dms = {
      data: { order_id: 10000001, ship_to_name: 'Zoë' },
      metadata: {
        timestamp: '2026-01-01T00:00:00.000000Z',
        'record-type': 'data',
        operation: 'insert',
        'partition-key-type': 'primary-key',
        'schema-name': 'sales',
        'table-name': 'orders',
        'transaction-id': 12345,
      },
    };
    expect(decodeRecord(JSON.stringify(dms))).toEqual(dms);
    const badOp = { ...dms, metadata: { ...dms.metadata, operation: 'merge' } };
    expect(codeOf(() => decodeRecord(JSON.stringify(badOp)))).toBe('KSE_SCHEMA_INVALID');
  });

  it('rejects an orderDateTime that is not an ISO instant', () => {
    expect(
      codeOf(() => decodeRecord(JSON.stringify({ ...order, orderDateTime: '2026-13-01 10:00' }))),
    ).toBe('KSE_SCHEMA_INVALID');
  });

  it('lets errors other than bad input escape safeDecodeRecord', () => {
    const hostile = {
      get byteLength(): number {
        throw new RangeError('boom');
      },
    } as unknown as Uint8Array;
    expect(() => safeDecodeRecord(hostile)).toThrow(RangeError);
  });
});

describe('createDecoder', () => {
  it('decodes a product and rejects a negative price', () => {
    const decodeProduct = createDecoder(ProductSchema);
    const product = { productId: 999900001, productName: 'Oak Desk', productPrice: 129.99 };
    expect(decodeProduct(JSON.stringify(product))).toEqual(product);
    expect(codeOf(() => decodeProduct(JSON.stringify({ ...product, productPrice: -1 })))).toBe(
      'KSE_SCHEMA_INVALID',
    );
  });
});
