import type { Order, OrderItem } from '@kse/schemas';
import type { ComparableRow } from './comparableRow.js';
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
  // One entry per orderId: its order's last copy and its items' last copies, each item in
  // the place of its first copy. Keyed by the order's number alone: no string per row.
  private readonly orders = new Map<number, OrderWrites>();
  /** Copies of a key already held (each replaced the one before). */
  repeated = 0;

  /** Adds the next record in input order; a later copy of a held key replaces it. */
  add(record: Order | OrderItem): void {
    let held = this.orders.get(record.orderId);
    if (held === undefined) {
      held = { order: undefined, items: [], positions: undefined };
      this.orders.set(record.orderId, held);
    }
    if (record.recordType === 'Order') {
      if (held.order !== undefined) this.repeated += 1;
      held.order = record;
      return;
    }
    const at = indexOfItem(held, record.itemId);
    if (at < 0) {
      held.positions?.set(record.itemId, held.items.length);
      held.items.push(record);
      return;
    }
    this.repeated += 1;
    held.items[at] = record;
  }

  /**
   * The expected rows: each held item joined to its order's last copy and its product's
   * name (LEFT JOIN: `null` when unknown); an item whose order is not held gives no row.
   * Adds `orphanItems` and `unknownProducts` to `stats` once per call.
   */
  *rows(productNames: ReadonlyMap<number, string>, stats: ExpectedStats): Generator<ComparableRow> {
    for (const { order, items } of this.orders.values()) {
      if (order === undefined) {
        stats.orphanItems += items.length;
        continue;
      }
      for (const item of items) {
        const row = joinRow(order, item, productNames);
        if (row.productName === null) stats.unknownProducts += 1;
        yield row;
      }
    }
  }

  /** How many rows {@link rows} gives. */
  rowCount(): number {
    let count = 0;
    for (const { order, items } of this.orders.values()) {
      if (order !== undefined) count += items.length;
    }
    return count;
  }

  /** The expected row with this key, or `undefined` when there is none. */
  row(
    orderId: number,
    itemId: number,
    productNames: ReadonlyMap<number, string>,
  ): ComparableRow | undefined {
    const held = this.orders.get(orderId);
    if (held?.order === undefined) return undefined;
    const item = held.items[indexOfItem(held, itemId)];
    return item === undefined ? undefined : joinRow(held.order, item, productNames);
  }
}

interface OrderWrites {
  order: Order | undefined;
  items: OrderItem[];
  /** `itemId` → place in `items`, once an order has more than {@link SCANNED_ITEMS}. */
  positions: Map<number, number> | undefined;
}

// An order has a few items, found by a scan (faster than a map); past this many, by a map.
const SCANNED_ITEMS = 16;

/** The place of the item with this id in the order's items; -1 when there is none. */
function indexOfItem(held: OrderWrites, itemId: number): number {
  const { items } = held;
  if (held.positions === undefined && items.length > SCANNED_ITEMS) {
    held.positions = new Map(items.map((item, at) => [item.itemId, at]));
  }
  if (held.positions !== undefined) return held.positions.get(itemId) ?? -1;
  for (let at = 0; at < items.length; at += 1) if (items[at]!.itemId === itemId) return at;
  return -1;
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
