import type { Product } from '@kse/schemas';
import type { OrderRecord } from './records.js';

// Characters JSON.stringify escapes: quote, backslash, controls, lone surrogates.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function str(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * `JSON.stringify(product)` for the generator's products, written out by hand: several
 * times faster, and byte-identical (a test holds it to `JSON.stringify` over many records).
 */
export function productLine(p: Product): string {
  return `{"productId":${p.productId},"productName":${str(p.productName)},"productPrice":${p.productPrice}}`;
}

/** `JSON.stringify(record)` for the generator's orders and items, by hand; byte-identical. */
export function orderRecordLine(r: OrderRecord): string {
  if (r.recordType === 'Order') {
    return (
      `{"orderId":${r.orderId},"orderAmount":${r.orderAmount},"orderStatus":${str(r.orderStatus)},` +
      `"orderDateTime":"${r.orderDateTime}","shipToName":${str(r.shipToName)},` +
      `"shipToAddress":${str(r.shipToAddress)},"shipToCity":${str(r.shipToCity)},` +
      `"shipToState":${str(r.shipToState)},"shipToZip":${str(r.shipToZip)},"recordType":"Order"}`
    );
  }
  return (
    `{"orderId":${r.orderId},"itemId":${r.itemId},"itemQuantity":${r.itemQuantity},` +
    `"itemAmount":${r.itemAmount},"itemStatus":${str(r.itemStatus)},` +
    `"orderDateTime":"${r.orderDateTime}","recordType":"OrderItem"}`
  );
}
