import { regexes } from 'zod/mini';
import type { EnrichedOrderItem, Order, OrderItem } from './records.js';

// The hot path of every pipeline stage is "valid order or item". zod finds and explains
// every problem; these checks only recognise the common, valid case cheaply. They are
// deliberately *sound*: whatever they accept, the zod schema accepts with the same output
// (same fields, same order). Whatever they reject goes to zod, which then either accepts
// it or explains why not. They also accept every record zod accepts, so only invalid
// records pay for zod. tests/fastValidate.test.ts checks both against the schemas.

// The same pattern zod uses for `z.iso.datetime({ offset: true })`. A hand-written
// char-code check of the same grammar was tried and measured slower than V8's compiled
// regex (about 130 vs 90 ns per instant), and copying the ~10 fields measured no slower
// than checking with for…in that a parsed record has exactly the schema's keys.
const ISO_INSTANT = regexes.datetime({ offset: true });

const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
const isMoney = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;
// The last instant the pattern accepted: an item repeats its order's `orderDateTime`
// (the sample's records come as an order then its items), and comparing with the string
// just accepted costs far less than the pattern. Equal strings match alike, so this is
// exactly the pattern's answer.
let lastInstant: string | undefined;
const isInstant = (value: unknown): value is string => {
  if (typeof value !== 'string') return false;
  if (value === lastInstant) return true;
  if (!ISO_INSTANT.test(value)) return false;
  lastInstant = value;
  return true;
};
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The typed order when `record` is a valid order, else `undefined` (ask zod why). */
export function fastOrder(record: Record<string, unknown>): Order | undefined {
  const {
    orderId,
    orderAmount,
    orderStatus,
    orderDateTime,
    shipToName,
    shipToAddress,
    shipToCity,
    shipToState,
    shipToZip,
    recordType,
  } = record;
  if (
    recordType !== 'Order' ||
    !isId(orderId) ||
    !isMoney(orderAmount) ||
    typeof orderStatus !== 'string' ||
    !isInstant(orderDateTime) ||
    typeof shipToName !== 'string' ||
    typeof shipToAddress !== 'string' ||
    typeof shipToCity !== 'string' ||
    typeof shipToState !== 'string' ||
    typeof shipToZip !== 'string'
  ) {
    return undefined;
  }
  return {
    orderId,
    orderAmount,
    orderStatus,
    orderDateTime,
    shipToName,
    shipToAddress,
    shipToCity,
    shipToState,
    shipToZip,
    recordType: 'Order',
  };
}

/** The typed item when `record` is a valid order item, else `undefined` (ask zod why). */
export function fastOrderItem(record: Record<string, unknown>): OrderItem | undefined {
  const { orderId, itemId, itemQuantity, itemAmount, itemStatus, orderDateTime, recordType } =
    record;
  if (
    recordType !== 'OrderItem' ||
    !isId(orderId) ||
    !isId(itemId) ||
    !isId(itemQuantity) ||
    !isMoney(itemAmount) ||
    typeof itemStatus !== 'string' ||
    !isInstant(orderDateTime)
  ) {
    return undefined;
  }
  return {
    orderId,
    itemId,
    itemQuantity,
    itemAmount,
    itemStatus,
    orderDateTime,
    recordType: 'OrderItem',
  };
}

/**
 * The typed row when `record` is a valid enriched row, else `undefined` (ask zod why). An
 * optional `*_arrival_ts` key that is present with the value `undefined` goes to zod.
 */
export function fastEnrichedOrderItem(
  record: Record<string, unknown>,
): EnrichedOrderItem | undefined {
  const {
    event_ts,
    orderId,
    orderAmount,
    orderStatus,
    orderDateTime,
    shipToName,
    shipToAddress,
    shipToCity,
    shipToState,
    shipToZip,
    itemId,
    itemAmount,
    itemQuantity,
    itemStatus,
    productName,
    order_arrival_ts,
    item_arrival_ts,
  } = record;
  if (
    !(isCount(event_ts) || isInstant(event_ts)) ||
    !isId(orderId) ||
    !isMoney(orderAmount) ||
    typeof orderStatus !== 'string' ||
    !isInstant(orderDateTime) ||
    typeof shipToName !== 'string' ||
    typeof shipToAddress !== 'string' ||
    typeof shipToCity !== 'string' ||
    typeof shipToState !== 'string' ||
    typeof shipToZip !== 'string' ||
    !isId(itemId) ||
    !isMoney(itemAmount) ||
    !isId(itemQuantity) ||
    typeof itemStatus !== 'string' ||
    (productName !== null && typeof productName !== 'string')
  ) {
    return undefined;
  }
  const row: EnrichedOrderItem = {
    event_ts,
    orderId,
    orderAmount,
    orderStatus,
    orderDateTime,
    shipToName,
    shipToAddress,
    shipToCity,
    shipToState,
    shipToZip,
    itemId,
    itemAmount,
    itemQuantity,
    itemStatus,
    productName,
  };
  if (isCount(order_arrival_ts)) row.order_arrival_ts = order_arrival_ts;
  else if (order_arrival_ts !== undefined || 'order_arrival_ts' in record) return undefined;
  if (isCount(item_arrival_ts)) row.item_arrival_ts = item_arrival_ts;
  else if (item_arrival_ts !== undefined || 'item_arrival_ts' in record) return undefined;
  return row;
}
