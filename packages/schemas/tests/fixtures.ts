import type { EnrichedOrderItem, Order, OrderItem } from '../src/index.js';

export const order: Order = {
  orderId: 10000001,
  orderAmount: 259.98,
  orderStatus: 'New',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  shipToName: 'Zoë Ångström 東京',
  shipToAddress: '1 Main Street',
  shipToCity: 'Seattle',
  shipToState: 'WA',
  shipToZip: '98101',
  recordType: 'Order',
};

export const item: OrderItem = {
  orderId: 10000001,
  itemId: 999900001,
  itemQuantity: 1,
  itemAmount: 129.99,
  itemStatus: 'Ready',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  recordType: 'OrderItem',
};

export const enriched: EnrichedOrderItem = {
  event_ts: 1767225600123,
  orderId: 10000001,
  orderAmount: 259.98,
  orderStatus: 'New',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  shipToName: 'Zoë Ångström 東京',
  shipToAddress: '1 Main Street',
  shipToCity: 'Seattle',
  shipToState: 'WA',
  shipToZip: '98101',
  itemId: 999900001,
  itemAmount: 129.99,
  itemQuantity: 1,
  itemStatus: 'Ready',
  productName: 'Oak Desk',
  order_arrival_ts: 1767225600000,
  item_arrival_ts: 1767225600001,
};
