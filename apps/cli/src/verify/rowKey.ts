import type { EnrichedOrderItem } from '@kse/schemas';

/** The table key of a row as one string, `orderId/itemId`. */
export function rowKey(row: Pick<EnrichedOrderItem, 'orderId' | 'itemId'>): string {
  return `${row.orderId}/${row.itemId}`;
}
