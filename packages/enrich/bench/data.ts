/**
 * Seeded source data shaped like @kse/generator's output (orders with two items of
 * distinct products), produced in chunks so that a run of any size holds one chunk of
 * input at a time. A fixed-seed LCG: the same arguments give the same lines.
 */
import { FIRST_ORDER_ID, FIRST_PRODUCT_ID, type Product } from '@kse/schemas';

export const BENCH_T0 = Date.parse('2026-01-01T00:00:00.000Z');
const NAMES = ['Zoë Ångström', 'Ana Silva', 'James Smith', 'Wei Zhang 东京', 'Olivia Brown'];

export interface Line {
  text: string;
  arrivalTime: number;
}

export function products(count = 1_000): Product[] {
  return Array.from({ length: count }, (_, i) => ({
    productId: FIRST_PRODUCT_ID + i,
    productName: `Product ${i} — ${NAMES[i % NAMES.length]}`,
    productPrice: 1 + (i % 999),
  }));
}

/**
 * Lines for orders `[from, to)`: one order then its two items, at `ordersPerSecond`
 * (order times and arrival times spaced evenly; items arrive 1 and 2 ms after their
 * order). One item in 100 sells a product outside the reference table.
 */
export function chunk(from: number, to: number, ordersPerSecond = 1_000, seed = 42): Line[] {
  let state = (seed * 2_654_435_761 + from) % 2_147_483_648;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const lines: Line[] = [];
  for (let n = from; n < to; n += 1) {
    const orderId = FIRST_ORDER_ID + n;
    const at = BENCH_T0 + Math.floor((n * 1_000) / ordersPerSecond);
    const orderDateTime = new Date(at).toISOString();
    const p1 = Math.floor(random() * 1_000);
    const p2 = (p1 + 1 + Math.floor(random() * 998)) % 1_000;
    const a1 = 1 + Math.floor(random() * 99_900) / 100;
    const a2 = 1 + Math.floor(random() * 99_900) / 100;
    lines.push({
      text: JSON.stringify({
        orderId,
        orderAmount: Math.round((a1 + a2) * 100) / 100,
        orderStatus: 'New',
        orderDateTime,
        shipToName: NAMES[n % NAMES.length],
        shipToAddress: `${100 + (n % 900)} Main Street`,
        shipToCity: 'Seattle',
        shipToState: 'WA',
        shipToZip: String(98_000 + (n % 999)).padStart(5, '0'),
        recordType: 'Order',
      }),
      arrivalTime: at,
    });
    for (const [index, [product, amount]] of [
      [n % 100 === 0 ? 5_000 : p1, a1],
      [p2, a2],
    ].entries()) {
      lines.push({
        text: JSON.stringify({
          orderId,
          itemId: FIRST_PRODUCT_ID + product!,
          itemQuantity: 1,
          itemAmount: amount,
          itemStatus: 'Ready',
          orderDateTime,
          recordType: 'OrderItem',
        }),
        arrivalTime: at + 1 + index,
      });
    }
  }
  return lines;
}
