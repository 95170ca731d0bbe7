import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReferenceTable, runEnrichment, type RawInput } from '@kse/enrich';
import type { EnrichedOrderItem } from '@kse/schemas';
import { describe, expect, it } from 'vitest';
import { canonicalRow, type ComparableRow } from '../../src/verify/comparableRow.js';
import { emptyExpectedStats, expectedRows } from '../../src/verify/expectedRows.js';
import { rowKey } from '../../src/verify/rowKey.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const products = [
  { productId: 999900001, productName: 'Oak Desk', productPrice: 10.5 },
  { productId: 999900002, productName: 'Café Chair', productPrice: 3 },
];
const order = (orderId: number, overrides: Record<string, unknown> = {}) => ({
  orderId,
  orderAmount: 13.5,
  orderStatus: 'New',
  orderDateTime: new Date(T0).toISOString(),
  shipToName: 'Zoë Ng',
  shipToAddress: '1 Main St',
  shipToCity: 'Springfield',
  shipToState: 'IL',
  shipToZip: '62701',
  recordType: 'Order',
  ...overrides,
});
const item = (orderId: number, itemId: number, overrides: Record<string, unknown> = {}) => ({
  orderId,
  itemId,
  itemQuantity: 1,
  itemAmount: 10.5,
  itemStatus: 'Ready',
  orderDateTime: new Date(T0).toISOString(),
  recordType: 'OrderItem',
  ...overrides,
});

// Duplicates of every kind, all within the join's window: changed copies of an order (DMS
// updates, before and after its items), changed copies of an item, identical redeliveries,
// and an item that comes before its order.
const LINES = [
  order(1),
  item(1, 999900001),
  item(1, 999900002),
  order(1, { shipToCity: 'Shelbyville', orderStatus: 'Shipped' }),
  item(1, 999900001, { itemAmount: 11.25, itemQuantity: 2 }),
  order(2),
  item(2, 999900001),
  item(2, 999900001),
  order(2),
  item(2, 999900002, { itemStatus: 'Pending' }),
  item(2, 999900002, { itemStatus: 'Shipped' }),
  item(3, 999900002),
  order(3, { shipToName: 'First' }),
  order(3, { shipToName: 'Second' }),
  item(1, 999900002, { itemAmount: 1 }),
  order(1, { orderAmount: 99 }),
];

// The rows the join emits for the lines, folded as the sink's puts on (orderId, itemId)
// fold them: the last row of each key wins.
async function joinedTable(batchSize: number): Promise<Map<string, EnrichedOrderItem>> {
  const inputs: RawInput[] = LINES.map((line, i) => ({
    data: new TextEncoder().encode(JSON.stringify(line)),
    arrivalTime: T0 + i * 100,
    position: String(i),
  }));
  const reference = await loadReferenceTable({ products });
  const table = new Map<string, EnrichedOrderItem>();
  async function* source(): AsyncGenerator<RawInput> {
    yield* inputs;
  }
  for await (const output of runEnrichment(source(), {
    join: { products: reference },
    batchSize,
  })) {
    expect(output.deadLetters.map((d) => d.code)).toEqual([]);
    for (const row of output.rows) table.set(rowKey(row), row);
  }
  return table;
}

async function verifierRows(): Promise<{ rows: ComparableRow[]; repeated: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'kse-verify-dup-'));
  const productsPath = join(dir, 'products.json');
  const ordersPath = join(dir, 'orders.json');
  await writeFile(productsPath, products.map((p) => JSON.stringify(p) + '\n').join(''));
  await writeFile(ordersPath, LINES.map((l) => JSON.stringify(l) + '\n').join(''));
  const stats = emptyExpectedStats();
  const rows: ComparableRow[] = [];
  for await (const row of expectedRows({ productsPath, ordersPath, stats })) rows.push(row);
  return { rows, repeated: stats.repeatedKeys };
}

describe('duplicates: kse verify expects what the join and the sink leave', () => {
  it.each([1, 3, 500])(
    'matches the real join’s table, row for row and field for field (batches of %i)',
    async (batchSize) => {
      const table = await joinedTable(batchSize);
      const { rows } = await verifierRows();
      const expected = new Map(rows.map((row) => [rowKey(row), canonicalRow(row)]));
      expect(expected.size).toBe(rows.length);
      const landed = new Map([...table].map(([key, row]) => [key, canonicalRow(row)]));
      expect(expected).toEqual(landed);
    },
  );

  it('takes the last copy of each order and of each item', async () => {
    const { rows, repeated } = await verifierRows();
    const byKey = new Map(rows.map((row) => [rowKey(row), row]));
    expect([...byKey.keys()].sort()).toEqual([
      '1/999900001',
      '1/999900002',
      '2/999900001',
      '2/999900002',
      '3/999900002',
    ]);
    // The last order copy replaces the whole order: the Shelbyville update is gone.
    expect(byKey.get('1/999900001')).toMatchObject({
      shipToCity: 'Springfield',
      orderStatus: 'New',
      orderAmount: 99,
      itemAmount: 11.25,
      itemQuantity: 2,
    });
    expect(byKey.get('1/999900002')).toMatchObject({ orderAmount: 99, itemAmount: 1 });
    expect(byKey.get('2/999900002')).toMatchObject({ itemStatus: 'Shipped' });
    expect(byKey.get('3/999900002')).toMatchObject({ shipToName: 'Second' });
    // Order 1: 2 later copies, its items 1 each; order 2: 1, its items 1 each; order 3: 1.
    expect(repeated).toBe(8);
  });
});
