import type { DmsRecord } from '@kse/schemas';
import type { DmsGeneratedOperation } from './constants.js';
import type { OrderRecord } from './records.js';

/**
 * Source tables of the DMS format and their columns, as a source database would name
 * them (snake_case). Values are unchanged (same JSON types as the kse fields); only the
 * names differ, so the mapping back is a rename. Kept internal: the README documents it
 * and `@kse/enrich`'s preprocess maps it back.
 */
const ORDER_COLUMNS = [
  ['orderId', 'order_id'],
  ['orderAmount', 'order_amount'],
  ['orderStatus', 'order_status'],
  ['orderDateTime', 'order_datetime'],
  ['shipToName', 'ship_to_name'],
  ['shipToAddress', 'ship_to_address'],
  ['shipToCity', 'ship_to_city'],
  ['shipToState', 'ship_to_state'],
  ['shipToZip', 'ship_to_zip'],
] as const;

const ITEM_COLUMNS = [
  ['orderId', 'order_id'],
  ['itemId', 'item_id'],
  ['itemQuantity', 'item_quantity'],
  ['itemAmount', 'item_amount'],
  ['itemStatus', 'item_status'],
  ['orderDateTime', 'order_datetime'],
] as const;

/** Options of {@link toDmsRecord}. */
export interface DmsRecordOptions {
  /** `metadata.operation`: `load` (full load, default) or `insert` (CDC). */
  operation?: DmsGeneratedOperation;
  /** `metadata.schema-name`. Default `"sales"`. */
  schemaName?: string;
}

/**
 * Wraps an order or item as AWS DMS writes a row to a Kinesis target: snake_case columns
 * in `data`, and `metadata` with table `orders` or `order_items`. `metadata.timestamp`
 * is the row's `orderDateTime` with DMS's microsecond precision; CDC inserts carry the
 * order id as `transaction-id` (an order and its items are one transaction).
 *
 * @example
 * ```ts
 * toDmsRecord(order, { operation: 'insert' }).metadata['table-name']; // "orders"
 * ```
 */
export function toDmsRecord(record: OrderRecord, options: DmsRecordOptions = {}): DmsRecord {
  const operation = options.operation ?? 'load';
  const isOrder = record.recordType === 'Order';
  const columns = isOrder ? ORDER_COLUMNS : ITEM_COLUMNS;
  const source = record as unknown as Record<string, unknown>;
  const data: Record<string, unknown> = {};
  for (const [field, column] of columns) data[column] = source[field];
  const metadata: DmsRecord['metadata'] = {
    timestamp: `${record.orderDateTime.slice(0, -1)}000Z`,
    'record-type': 'data',
    operation,
    'partition-key-type': 'primary-key',
    'schema-name': options.schemaName ?? 'sales',
    'table-name': isOrder ? 'orders' : 'order_items',
  };
  if (operation === 'insert') metadata['transaction-id'] = record.orderId;
  return { data, metadata };
}
