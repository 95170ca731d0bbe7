import type { Product } from '@kse/schemas';

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
