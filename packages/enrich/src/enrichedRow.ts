import type { EnrichedOrderItem, Order, OrderItem, Product } from '@kse/schemas';

/**
 * Trace and time fields of an enriched row (see {@link buildEnrichedRow}).
 *
 * @example
 * ```ts
 * buildEnrichedRow(order, item, product, { eventTs: Date.now() });
 * ```
 */
export interface EnrichedRowMeta {
  /** The row's `event_ts`: ms since the epoch, or an ISO instant. */
  eventTs: number | string;
  /** The order's arrival time (ms since the epoch), for latency tracing. */
  orderArrivalTs?: number;
  /** The item's arrival time (ms since the epoch), for latency tracing. */
  itemArrivalTs?: number;
}

/**
 * Builds one enriched row: exactly the sample's `ORDER_ITEM_ENRICHED_STREAM` columns
 * (`event_ts`, every order field but `recordType`, the item's fields, `productName` —
 * `null` when the product is unknown, a LEFT JOIN) plus `order_arrival_ts` and
 * `item_arrival_ts` when given. Fields come in the order of `ENRICHED_FIELDS` (of
 * `@kse/schemas`; an object literal, pinned to that list by a test) so that equal inputs
 * give byte-identical JSON.
 *
 * @example
 * ```ts
 * const row = buildEnrichedRow(order, item, products.get(item.itemId), { eventTs: 1767225600000, orderArrivalTs: 1767225599000, itemArrivalTs: 1767225600000 });
 * ```
 */
export function buildEnrichedRow(
  order: Order,
  item: OrderItem,
  product: Product | null | undefined,
  meta: EnrichedRowMeta,
): EnrichedOrderItem {
  const row: EnrichedOrderItem = {
    event_ts: meta.eventTs,
    orderId: order.orderId,
    orderAmount: order.orderAmount,
    orderStatus: order.orderStatus,
    orderDateTime: order.orderDateTime,
    shipToName: order.shipToName,
    shipToAddress: order.shipToAddress,
    shipToCity: order.shipToCity,
    shipToState: order.shipToState,
    shipToZip: order.shipToZip,
    itemId: item.itemId,
    itemAmount: item.itemAmount,
    itemQuantity: item.itemQuantity,
    itemStatus: item.itemStatus,
    productName: product?.productName ?? null,
  };
  if (meta.orderArrivalTs !== undefined) row.order_arrival_ts = meta.orderArrivalTs;
  if (meta.itemArrivalTs !== undefined) row.item_arrival_ts = meta.itemArrivalTs;
  return row;
}
