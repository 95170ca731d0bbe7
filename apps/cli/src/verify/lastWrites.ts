import type { Order, OrderItem } from '@kse/schemas';
import type { ComparableRow } from './comparableRow.js';
import { numericRowKey, rowKey } from './rowKey.js';
import type { ExpectedStats } from './expectedStats.js';

/**
 * The last copy of every order (by `orderId`) and of every item (by `orderId` + `itemId`)
 * of some source records, in the order they were added: the input's **last write wins**,
 * the rule the join and the sink apply to duplicates (see `@kse/enrich`'s README,
 * "Duplicates: one rule"). A later copy with other attributes (an AWS DMS update) replaces
 * the earlier one, and the join re-emits every pair it forms, so the sink's put on
 * `(orderId, itemId)` ends with the last item copy joined to the last order copy; a copy
 * with the same attributes (a redelivery) changes nothing. The rows expected from them
 * are therefore one per item key: its last copy ⋈ the last copy of its order.
 */
export class LastWrites {
  private readonly orders = new Map<number, Order>();
  private readonly items = new Map<number | string, OrderItem>();
  /** Copies of a key already held (each replaced the one before). */
  repeated = 0;

  /** Adds the next record in input order; a later copy of a held key replaces it. */
  add(record: Order | OrderItem): void {
    if (record.recordType === 'Order') {
      if (this.orders.has(record.orderId)) this.repeated += 1;
      this.orders.set(record.orderId, record);
      return;
    }
    const key = itemKey(record.orderId, record.itemId);
    if (this.items.has(key)) this.repeated += 1;
    this.items.set(key, record);
  }

  /**
   * The expected rows: each held item joined to its order's last copy and its product's
   * name (LEFT JOIN: `null` when unknown); an item whose order is not held gives no row.
   * Adds `orphanItems` and `unknownProducts` to `stats` once per call.
   */
  *rows(productNames: ReadonlyMap<number, string>, stats: ExpectedStats): Generator<ComparableRow> {
    for (const item of this.items.values()) {
      const order = this.orders.get(item.orderId);
      if (order === undefined) {
        stats.orphanItems += 1;
        continue;
      }
      const row = joinRow(order, item, productNames);
      if (row.productName === null) stats.unknownProducts += 1;
      yield row;
    }
  }

  /** How many rows {@link rows} gives. */
  rowCount(): number {
    let count = 0;
    for (const item of this.items.values()) if (this.orders.has(item.orderId)) count += 1;
    return count;
  }

  /** The expected row with this key, or `undefined` when there is none. */
  row(
    orderId: number,
    itemId: number,
    productNames: ReadonlyMap<number, string>,
  ): ComparableRow | undefined {
    const item = this.items.get(itemKey(orderId, itemId));
    const order = this.orders.get(orderId);
    return item === undefined || order === undefined
      ? undefined
      : joinRow(order, item, productNames);
  }
}

function itemKey(orderId: number, itemId: number): number | string {
  return numericRowKey(orderId, itemId) ?? rowKey({ orderId, itemId });
}

/** items ⋈ orders on `orderId`, LEFT JOIN products on `itemId = productId`. */
function joinRow(
  order: Order,
  item: OrderItem,
  productNames: ReadonlyMap<number, string>,
): ComparableRow {
  return {
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
    productName: productNames.get(item.itemId) ?? null,
  };
}
