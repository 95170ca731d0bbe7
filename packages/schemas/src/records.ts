import * as z from 'zod/mini';

// zod/mini: the same checks and messages as zod's classic API, built from functions, so a
// bundle carries only the ones used (about a quarter of classic zod's size in a Lambda bundle).
const id = z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER));
const money = z.number().check(z.nonnegative());
/** ISO-8601 instant with a zone (`Z` or an offset), any sub-second precision. */
const isoInstant = z.iso.datetime({ offset: true });

/**
 * A product of the reference table (`products.json`).
 *
 * @example
 * ```ts
 * ProductSchema.parse({ productId: 999900001, productName: 'Oak Desk', productPrice: 129.99 });
 * ```
 */
export const ProductSchema = z.object({
  productId: id,
  productName: z.string(),
  productPrice: money,
});
/** A product of the reference table. */
export type Product = z.infer<typeof ProductSchema>;

/** Order fields shared by {@link OrderSchema} and {@link EnrichedOrderItemSchema}. */
const orderFields = {
  orderId: id,
  orderAmount: money,
  orderStatus: z.string(),
  orderDateTime: isoInstant,
  shipToName: z.string(),
  shipToAddress: z.string(),
  shipToCity: z.string(),
  shipToState: z.string(),
  shipToZip: z.string(),
};

/** An order, as carried on the source stream (`recordType: "Order"`). */
export const OrderSchema = z.object({
  ...orderFields,
  recordType: z.literal('Order'),
});
/** An order, as carried on the source stream. */
export type Order = z.infer<typeof OrderSchema>;

/** One line of an order (`recordType: "OrderItem"`); `itemId` is the product it sells. */
export const OrderItemSchema = z.object({
  orderId: id,
  itemId: id,
  itemQuantity: z.number().check(z.int(), z.positive()),
  itemAmount: money,
  itemStatus: z.string(),
  orderDateTime: isoInstant,
  recordType: z.literal('OrderItem'),
});
/** One line of an order. */
export type OrderItem = z.infer<typeof OrderItemSchema>;

/**
 * A source-stream record: an {@link Order} or an {@link OrderItem}, discriminated by
 * `recordType`.
 */
export const SourceRecordSchema = z.discriminatedUnion('recordType', [
  OrderSchema,
  OrderItemSchema,
]);
/** A source-stream record. */
export type SourceRecord = z.infer<typeof SourceRecordSchema>;

/**
 * The fields of an enriched row, in their wire order: `event_ts`, every order field but
 * `recordType`, the item's fields, `productName`, then the optional `*_arrival_ts` trace
 * fields. {@link EnrichedOrderItemSchema} takes its key order from this list, so that
 * decoded rows, rows built by `@kse/enrich` and their JSON all come in this order (the
 * hand-written object literals of the hot paths are pinned to it by tests).
 *
 * @example
 * ```ts
 * const header = ENRICHED_FIELDS.join(','); // event_ts,orderId,orderAmount,…
 * ```
 */
export const ENRICHED_FIELDS = [
  'event_ts',
  'orderId',
  'orderAmount',
  'orderStatus',
  'orderDateTime',
  'shipToName',
  'shipToAddress',
  'shipToCity',
  'shipToState',
  'shipToZip',
  'itemId',
  'itemAmount',
  'itemQuantity',
  'itemStatus',
  'productName',
  'order_arrival_ts',
  'item_arrival_ts',
] as const;

/**
 * One of {@link ENRICHED_FIELDS}.
 *
 * @example
 * ```ts
 * const field: EnrichedField = 'productName';
 * ```
 */
export type EnrichedField = (typeof ENRICHED_FIELDS)[number];

/**
 * The fields of {@link ENRICHED_FIELDS} that say when, not what: `event_ts` (when the row
 * was produced) and the `*_arrival_ts` trace fields (when the source records reached
 * Kinesis). They differ from run to run by design, so verification leaves them out.
 *
 * @example
 * ```ts
 * const compared = ENRICHED_FIELDS.filter((f) => !ENRICHED_TRACE_FIELDS.includes(f));
 * ```
 */
export const ENRICHED_TRACE_FIELDS = [
  'event_ts',
  'order_arrival_ts',
  'item_arrival_ts',
] as const satisfies readonly EnrichedField[];

/** The schema of each enriched field; {@link ENRICHED_FIELDS} gives their order. */
const enrichedFieldSchemas = {
  event_ts: z.union([z.number().check(z.int(), z.nonnegative()), isoInstant]),
  ...orderFields,
  itemId: id,
  itemAmount: money,
  itemQuantity: z.number().check(z.int(), z.positive()),
  itemStatus: z.string(),
  productName: z.nullable(z.string()),
  order_arrival_ts: z.optional(z.number().check(z.int(), z.nonnegative())),
  item_arrival_ts: z.optional(z.number().check(z.int(), z.nonnegative())),
} satisfies Record<EnrichedField, z.ZodMiniType>;

/**
 * `schemas` with its keys in the order of `fields` (zod outputs keys in shape order). A
 * schema whose key is not in `fields` is a compile error, not a silently dropped field.
 */
function inFieldOrder<F extends string, S extends Record<F, z.ZodMiniType>>(
  schemas: S & Record<Exclude<keyof S, F>, never>,
  fields: readonly F[],
): { [K in F]: S[K] } {
  const shape = {} as { [K in F]: S[K] };
  for (const field of fields) shape[field] = schemas[field];
  return shape;
}

/**
 * A joined row: every order field but `recordType`, the item's fields and the product
 * name (null when the product is unknown: a LEFT JOIN). `event_ts` is when the row was
 * produced (ms since the epoch, or an ISO instant). The `*_arrival_ts` fields trace the
 * source records' arrival in Kinesis (ms since the epoch) for latency measurement. Its
 * keys are {@link ENRICHED_FIELDS}, in that order.
 */
export const EnrichedOrderItemSchema = z.object(
  inFieldOrder(enrichedFieldSchemas, ENRICHED_FIELDS),
);
/** A joined and enriched order item, as written to the enriched stream and DynamoDB. */
export type EnrichedOrderItem = z.infer<typeof EnrichedOrderItemSchema>;

/** AWS DMS `metadata.operation` values. */
export const DMS_OPERATIONS = [
  'load',
  'insert',
  'update',
  'delete',
  'create-table',
  'drop-table',
  'add-column',
  'drop-column',
  'rename-column',
  'rename-table',
  'column-type-change',
] as const;

/** The `metadata` block of an AWS DMS Kinesis-target record. */
export const DmsMetadataSchema = z.object({
  timestamp: z.string(),
  'record-type': z.enum(['data', 'control']),
  operation: z.enum(DMS_OPERATIONS),
  'partition-key-type': z.optional(z.string()),
  'schema-name': z.string(),
  'table-name': z.string(),
  'transaction-id': z.optional(z.union([z.number(), z.string()])),
});
/** The `metadata` block of an AWS DMS record. */
export type DmsMetadata = z.infer<typeof DmsMetadataSchema>;

/**
 * An AWS DMS record as DMS writes it to a Kinesis target: the row in `data` (any columns;
 * `preprocess` in `@kse/enrich` turns it into an {@link Order} or {@link OrderItem}) and
 * `metadata` naming the table and operation.
 */
export const DmsRecordSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  metadata: DmsMetadataSchema,
});
/** An AWS DMS Kinesis-target record. */
export type DmsRecord = z.infer<typeof DmsRecordSchema>;

/** True when a decoded value is a DMS envelope rather than a plain source record. */
export function isDmsRecord(value: SourceRecord | DmsRecord): value is DmsRecord {
  return (value as { metadata?: unknown }).metadata !== undefined;
}
