import { seededRandom } from '@kse/local-stack/testing';

export { seededRandom };

/**
 * A small seeded fixture builder: orders and their two items, shaped like the generator's
 * output, one JSON object per line. Deterministic for a seed.
 */
export interface FixtureOptions {
  orders: number;
  seed?: number;
  /** Event time of the first order. */
  start?: string;
  /** Event time between consecutive orders, in ms. */
  stepMs?: number;
}

const NAMES = ['Zoë Ångström', 'Ana Silva', 'James Smith', 'Wei Zhang 东京', 'Olivia Brown'];

export function buildOrderLines(options: FixtureOptions): string[] {
  const random = seededRandom(options.seed ?? 42);
  const start = Date.parse(options.start ?? '2026-01-01T00:00:00.000Z');
  const step = options.stepMs ?? 1;
  const lines: string[] = [];
  for (let order = 0; order < options.orders; order += 1) {
    const orderId = 10_000_001 + order;
    const orderDateTime = new Date(start + order * step).toISOString();
    const first = Math.floor(random() * 1000);
    const second = (first + 1 + Math.floor(random() * 998)) % 1000;
    const prices = [
      1 + Math.floor(random() * 99_900) / 100,
      1 + Math.floor(random() * 99_900) / 100,
    ];
    lines.push(
      JSON.stringify({
        orderId,
        orderAmount: Math.round((prices[0]! + prices[1]!) * 100) / 100,
        orderStatus: 'New',
        orderDateTime,
        shipToName: NAMES[order % NAMES.length],
        shipToAddress: `${100 + (order % 900)} Main Street`,
        shipToCity: 'Seattle',
        shipToState: 'WA',
        shipToZip: String(98_000 + (order % 999)).padStart(5, '0'),
        recordType: 'Order',
      }),
    );
    for (const [index, product] of [first, second].entries()) {
      lines.push(
        JSON.stringify({
          orderId,
          itemId: 999_900_001 + product,
          itemQuantity: 1,
          itemAmount: prices[index],
          itemStatus: 'Ready',
          orderDateTime,
          recordType: 'OrderItem',
        }),
      );
    }
  }
  return lines;
}
