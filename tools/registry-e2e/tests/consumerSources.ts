// Source files of the consumer project the end-to-end test creates: what a team's service
// would write after `npm install @kse/enrich` from its private registry. They are plain
// text here (not project files) because they must resolve `@kse/*` from the consumer's
// node_modules, never from this workspace.

/** A handful of source records, one order with two items (the sample's shape). */
export const RECORDS = [
  {
    orderId: 10000001,
    orderAmount: 30.5,
    orderStatus: 'New',
    orderDateTime: '2026-01-01T00:00:00.000Z',
    shipToName: 'Zoë Ångström 東京',
    shipToAddress: '1 Main Street',
    shipToCity: 'Seattle',
    shipToState: 'WA',
    shipToZip: '98101',
    recordType: 'Order',
  },
  {
    orderId: 10000001,
    itemId: 999900001,
    itemQuantity: 2,
    itemAmount: 20.5,
    itemStatus: 'Ready',
    orderDateTime: '2026-01-01T00:00:00.000Z',
    recordType: 'OrderItem',
  },
  {
    orderId: 10000001,
    itemId: 999900002,
    itemQuantity: 1,
    itemAmount: 10,
    itemStatus: 'Ready',
    orderDateTime: '2026-01-01T00:00:00.000Z',
    recordType: 'OrderItem',
  },
] as const;

const recordsLiteral = JSON.stringify(RECORDS);

/** ESM consumer: decodes the records from bytes through the published package. */
export const ESM_SOURCE = `import { decodeRecord, encodeRecord, safeDecodeRecord } from '@kse/schemas';

const records = ${recordsLiteral};
const decoded = records.map((record) => decodeRecord(encodeRecord(record)));
const bad = safeDecodeRecord('{"recordType":"Order"}');
console.log(JSON.stringify({
  module: 'esm',
  types: decoded.map((record) => record.recordType),
  shipToName: decoded[0].shipToName,
  badCode: bad.ok ? null : bad.error.code,
}));
`;

/** CJS consumer: the same through `require`. */
export const CJS_SOURCE = `const { decodeRecord, encodeRecord, safeDecodeRecord } = require('@kse/schemas');

const records = ${recordsLiteral};
const decoded = records.map((record) => decodeRecord(Buffer.from(encodeRecord(record))));
const bad = safeDecodeRecord('{"recordType":"Order"}');
console.log(JSON.stringify({
  module: 'cjs',
  types: decoded.map((record) => record.recordType),
  shipToName: decoded[0].shipToName,
  badCode: bad.ok ? null : bad.error.code,
}));
`;

/**
 * TypeScript consumer: uses the published types (a wrong type anywhere fails `tsc`).
 * Written once and type-checked as `.mts` and `.cts` under `nodenext` and as `.ts` under
 * `bundler`.
 */
export const TS_SOURCE = `import { decodeRecord, encodeRecord, isDmsRecord } from '@kse/schemas';
import type { Order, OrderItem, SchemaErrorCode } from '@kse/schemas';

const order: Order = {
  orderId: 10000001,
  orderAmount: 30.5,
  orderStatus: 'New',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  shipToName: 'Zoë',
  shipToAddress: '1 Main Street',
  shipToCity: 'Seattle',
  shipToState: 'WA',
  shipToZip: '98101',
  recordType: 'Order',
};
const bytes: Uint8Array = encodeRecord(order);
const decoded = decodeRecord(bytes);
if (!isDmsRecord(decoded) && decoded.recordType === 'OrderItem') {
  const item: OrderItem = decoded;
  const quantity: number = item.itemQuantity;
  void quantity;
}
const code: SchemaErrorCode = 'KSE_SCHEMA_INVALID';
export { code };
`;
