import { regexes } from 'zod';
import type { Order, OrderItem } from './records.js';

// The hot path of every pipeline stage is "valid order or item". zod finds and explains
// every problem; these checks only recognise the valid case cheaply. They are *sound*:
// whatever they accept, the zod schema accepts with the same output (same fields, same
// order). Whatever they reject goes to zod, which then explains why. For the field values
// they are also complete (they accept every value zod accepts), so only invalid records
// pay for zod. tests/fastValidate.test.ts checks both directions against the schemas.

// The pattern zod uses for `z.iso.datetime({ offset: true })`; `isIsoInstant` below is a
// hand-written equivalent of exactly this source (zod 4.6). Another zod version may use
// another pattern: then its own regex is used, so the check is always zod's.
const ZOD_ISO_INSTANT = regexes.datetime({ offset: true });
const KNOWN_ISO_INSTANT_SOURCE =
  '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$';

const C_0 = 48;
const C_DASH = 45;
const C_COLON = 58;
const C_DOT = 46;
const C_PLUS = 43;
const C_T = 84;
const C_Z = 90;

/** The digit at `at` (0–9), or -1 for anything else (`\d` in the pattern is ASCII only). */
function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - C_0;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two digits at `at` as a number 0–99, or -1. */
function twoDigits(text: string, at: number): number {
  const high = digit(text, at);
  const low = digit(text, at + 1);
  return high < 0 || low < 0 ? -1 : high * 10 + low;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with a real calendar date (Gregorian leap
 * years, year 0000 included), hours 00–23, minutes and seconds 00–59, offsets up to
 * ±23:59: what zod's `z.iso.datetime({ offset: true })` pattern accepts, without a regex.
 */
export function isIsoInstantHandWritten(text: string): boolean {
  const length = text.length;
  if (length < 20) return false;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (
    century < 0 ||
    yy < 0 ||
    text.charCodeAt(4) !== C_DASH ||
    text.charCodeAt(7) !== C_DASH ||
    text.charCodeAt(10) !== C_T ||
    month < 1 ||
    month > 12 ||
    day < 1
  ) {
    return false;
  }
  if (month === 2) {
    const leap = yy === 0 ? century % 4 === 0 : yy % 4 === 0;
    if (day > (leap ? 29 : 28)) return false;
  } else if (day > (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31)) {
    return false;
  }
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (
    hour < 0 ||
    hour > 23 ||
    text.charCodeAt(13) !== C_COLON ||
    minute < 0 ||
    minute > 59 ||
    text.charCodeAt(16) !== C_COLON ||
    second < 0 ||
    second > 59
  ) {
    return false;
  }
  let at = 19;
  if (text.charCodeAt(at) === C_DOT) {
    at += 1;
    const first = at;
    while (at < length && digit(text, at) >= 0) at += 1;
    if (at === first) return false;
  }
  const zone = text.charCodeAt(at);
  if (zone === C_Z) return at + 1 === length;
  if (zone !== C_PLUS && zone !== C_DASH) return false;
  if (at + 6 !== length) return false;
  const offsetHours = twoDigits(text, at + 1);
  const offsetMinutes = twoDigits(text, at + 4);
  return (
    offsetHours >= 0 &&
    offsetHours <= 23 &&
    text.charCodeAt(at + 3) === C_COLON &&
    offsetMinutes >= 0 &&
    offsetMinutes <= 59
  );
}

/** True when `text` is what zod's `z.iso.datetime({ offset: true })` accepts. */
export const isIsoInstant: (text: string) => boolean =
  ZOD_ISO_INSTANT.source === KNOWN_ISO_INSTANT_SOURCE
    ? isIsoInstantHandWritten
    : (text) => ZOD_ISO_INSTANT.test(text);

const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
const isMoney = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && isIsoInstant(value);

// The schemas' keys, in the schemas' order: zod's output order.
const ORDER_KEYS = [
  'orderId',
  'orderAmount',
  'orderStatus',
  'orderDateTime',
  'shipToName',
  'shipToAddress',
  'shipToCity',
  'shipToState',
  'shipToZip',
  'recordType',
] as const;
const ORDER_ITEM_KEYS = [
  'orderId',
  'itemId',
  'itemQuantity',
  'itemAmount',
  'itemStatus',
  'orderDateTime',
  'recordType',
] as const;

function hasOrderFields(record: Record<string, unknown>): boolean {
  return (
    record.recordType === 'Order' &&
    isId(record.orderId) &&
    isMoney(record.orderAmount) &&
    typeof record.orderStatus === 'string' &&
    isInstant(record.orderDateTime) &&
    typeof record.shipToName === 'string' &&
    typeof record.shipToAddress === 'string' &&
    typeof record.shipToCity === 'string' &&
    typeof record.shipToState === 'string' &&
    typeof record.shipToZip === 'string'
  );
}

function hasOrderItemFields(record: Record<string, unknown>): boolean {
  return (
    record.recordType === 'OrderItem' &&
    isId(record.orderId) &&
    isId(record.itemId) &&
    isId(record.itemQuantity) &&
    isMoney(record.itemAmount) &&
    typeof record.itemStatus === 'string' &&
    isInstant(record.orderDateTime)
  );
}

/**
 * True when `record`'s enumerable keys are exactly `keys`, in that order: then zod's
 * output would be a copy of it, field for field. No array is allocated for the keys.
 */
function hasExactly(record: Record<string, unknown>, keys: readonly string[]): boolean {
  let index = 0;
  // for…in, unlike Object.keys, allocates nothing; inherited enumerable keys count too,
  // which only sends such a record to the copying path.
  for (const key in record) {
    if (key !== keys[index]) return false;
    index += 1;
  }
  return index === keys.length;
}

function copyOrder(record: Record<string, unknown>): Order {
  return {
    orderId: record.orderId as number,
    orderAmount: record.orderAmount as number,
    orderStatus: record.orderStatus as string,
    orderDateTime: record.orderDateTime as string,
    shipToName: record.shipToName as string,
    shipToAddress: record.shipToAddress as string,
    shipToCity: record.shipToCity as string,
    shipToState: record.shipToState as string,
    shipToZip: record.shipToZip as string,
    recordType: 'Order',
  };
}

function copyOrderItem(record: Record<string, unknown>): OrderItem {
  return {
    orderId: record.orderId as number,
    itemId: record.itemId as number,
    itemQuantity: record.itemQuantity as number,
    itemAmount: record.itemAmount as number,
    itemStatus: record.itemStatus as string,
    orderDateTime: record.orderDateTime as string,
    recordType: 'OrderItem',
  };
}

/** A new typed order when `record` is a valid order, else `undefined` (ask zod why). */
export function fastOrder(record: Record<string, unknown>): Order | undefined {
  return hasOrderFields(record) ? copyOrder(record) : undefined;
}

/** A new typed item when `record` is a valid order item, else `undefined` (ask zod why). */
export function fastOrderItem(record: Record<string, unknown>): OrderItem | undefined {
  return hasOrderItemFields(record) ? copyOrderItem(record) : undefined;
}

/**
 * `record` itself when it is a valid order with exactly the schema's keys in the schema's
 * order (what zod would copy), a new typed order when it is valid with other keys or
 * another order (unknown ones dropped), else `undefined` (ask zod why).
 */
export function fastOrderInPlace(record: Record<string, unknown>): Order | undefined {
  if (!hasOrderFields(record)) return undefined;
  return hasExactly(record, ORDER_KEYS) ? (record as Order) : copyOrder(record);
}

/** {@link fastOrderInPlace} for order items. */
export function fastOrderItemInPlace(record: Record<string, unknown>): OrderItem | undefined {
  if (!hasOrderItemFields(record)) return undefined;
  return hasExactly(record, ORDER_ITEM_KEYS) ? (record as OrderItem) : copyOrderItem(record);
}
