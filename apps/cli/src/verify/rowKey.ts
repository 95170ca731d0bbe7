import type { EnrichedOrderItem } from '@kse/schemas';

/** The table key of a row as one string, `orderId/itemId`. */
export function rowKey(row: Pick<EnrichedOrderItem, 'orderId' | 'itemId'>): string {
  return `${row.orderId}/${row.itemId}`;
}

/**
 * A row's table key as one exact number, `orderId · 2^30 + itemId`, when both ids are
 * non-negative integers with `orderId < 2^23` and `itemId < 2^30` (so the result is a safe
 * integer: generated orders and the sample's product ids fit); otherwise `undefined`.
 */
export function numericRowKey(orderId: number, itemId: number): number | undefined {
  if (!Number.isInteger(orderId) || !Number.isInteger(itemId)) return undefined;
  if (orderId < 0 || orderId >= 2 ** 23 || itemId < 0 || itemId >= 2 ** 30) return undefined;
  return orderId * 2 ** 30 + itemId;
}
