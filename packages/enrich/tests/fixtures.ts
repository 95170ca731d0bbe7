import type { Order, OrderItem, Product } from '@kse/schemas';
import type { JoinBatch, TimedRecord } from '../src/index.js';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export function order(orderId: number, overrides: Partial<Order> = {}): Order {
  return {
    orderId,
    orderAmount: 25.5,
    orderStatus: 'New',
    orderDateTime: new Date(T0).toISOString(),
    shipToName: 'Zoë Ångström',
    shipToAddress: '1 Main Street',
    shipToCity: 'Seattle',
    shipToState: 'WA',
    shipToZip: '98101',
    recordType: 'Order',
    ...overrides,
  };
}

export function item(
  orderId: number,
  itemId: number,
  overrides: Partial<OrderItem> = {},
): OrderItem {
  return {
    orderId,
    itemId,
    itemQuantity: 1,
    itemAmount: 12.75,
    itemStatus: 'Ready',
    orderDateTime: new Date(T0).toISOString(),
    recordType: 'OrderItem',
    ...overrides,
  };
}

export function product(productId: number, productName = `Product ${productId}`): Product {
  return { productId, productName, productPrice: 9.99 };
}

export function at<R extends Order | OrderItem>(
  record: R,
  arrivalTime: number,
  position?: string | number,
): TimedRecord {
  return position === undefined ? { record, arrivalTime } : { record, arrivalTime, position };
}

/** Awaits a join batch and commits it (its outputs count as acknowledged), returning it. */
export async function committed(batch: Promise<JoinBatch>): Promise<JoinBatch> {
  const done = await batch;
  await done.commit();
  return done;
}
