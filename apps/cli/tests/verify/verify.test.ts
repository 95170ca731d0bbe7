import fc from 'fast-check';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ENRICHED_FIELDS,
  ENRICHED_TRACE_FIELDS,
  toDynamoItem,
  type EnrichedOrderItem,
} from '@kse/schemas';
import { emptyExpectedStats, expectedRows } from '../../src/verify/expectedRows.js';
import {
  COMPARED_FIELDS,
  canonicalRow,
  diffRows,
  type ComparableRow,
} from '../../src/verify/comparableRow.js';
import { rowKey } from '../../src/verify/rowKey.js';
import { compareLanded, type ExpectedPartition } from '../../src/verify/compareLanded.js';
import { formatVerdict } from '../../src/verify/verdict.js';

const products = [
  { productId: 999900001, productName: 'Oak Desk', productPrice: 10.5 },
  { productId: 999900002, productName: 'Café Chair', productPrice: 3 },
];
const order = (orderId: number) => ({
  orderId,
  orderAmount: 13.5,
  orderStatus: 'New',
  orderDateTime: '2020-01-01T00:00:00.000Z',
  shipToName: 'Zoë Ng',
  shipToAddress: '1 Main St',
  shipToCity: 'Springfield',
  shipToState: 'IL',
  shipToZip: '62701',
  recordType: 'Order',
});
const item = (orderId: number, itemId: number, itemAmount = 10.5) => ({
  orderId,
  itemId,
  itemQuantity: 1,
  itemAmount,
  itemStatus: 'Ready',
  orderDateTime: '2020-01-01T00:00:00.000Z',
  recordType: 'OrderItem',
});

async function files(orderLines: unknown[]): Promise<{ productsPath: string; ordersPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kse-verify-'));
  const productsPath = join(dir, 'products.json');
  const ordersPath = join(dir, 'orders.json');
  await writeFile(productsPath, products.map((p) => JSON.stringify(p) + '\n').join(''));
  await writeFile(ordersPath, orderLines.map((l) => JSON.stringify(l) + '\n').join(''));
  return { productsPath, ordersPath };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

function enriched(row: ComparableRow): EnrichedOrderItem {
  return { ...row, event_ts: 1, order_arrival_ts: 2, item_arrival_ts: 3 };
}

describe('expectedRows', () => {
  it('joins each item to its order and its product name', async () => {
    const paths = await files([order(1), item(1, 999900001), item(1, 999900002, 3)]);
    const rows = await collect(expectedRows(paths));
    expect(rows).toEqual([
      expect.objectContaining({
        orderId: 1,
        itemId: 999900001,
        productName: 'Oak Desk',
        shipToName: 'Zoë Ng',
      }),
      expect.objectContaining({
        orderId: 1,
        itemId: 999900002,
        productName: 'Café Chair',
        itemAmount: 3,
      }),
    ]);
  });

  it('gives a null productName for an unknown product (LEFT JOIN)', async () => {
    const paths = await files([order(1), item(1, 999999999)]);
    const stats = emptyExpectedStats();
    const rows = await collect(expectedRows({ ...paths, stats }));
    expect(rows.map((r) => r.productName)).toEqual([null]);
    expect(stats.unknownProducts).toBe(1);
  });

  it('produces no row for an item whose order is absent, and counts it', async () => {
    const paths = await files([order(1), item(1, 999900001), item(2, 999900001)]);
    const stats = emptyExpectedStats();
    const rows = await collect(expectedRows({ ...paths, stats }));
    expect(rows.map(rowKey)).toEqual(['1/999900001']);
    expect(stats).toMatchObject({ orders: 1, items: 2, orphanItems: 1 });
  });

  it('joins items that come before their order or far after it', async () => {
    const paths = await files([
      item(2, 999900001),
      order(1),
      order(2),
      order(3),
      item(1, 999900002),
    ]);
    const rows = await collect(expectedRows(paths));
    expect(rows.map(rowKey).sort()).toEqual(['1/999900002', '2/999900001']);
  });

  it('counts lines that are not records', async () => {
    const paths = await files([order(1), { hello: 'world' }, item(1, 999900001)]);
    const stats = emptyExpectedStats();
    await collect(expectedRows({ ...paths, stats }));
    expect(stats.badLines).toBe(1);
  });
});

describe('COMPARED_FIELDS', () => {
  it('is every field of ENRICHED_FIELDS but the trace fields, in their order', () => {
    expect(COMPARED_FIELDS).toEqual(
      ENRICHED_FIELDS.filter((f) => !(ENRICHED_TRACE_FIELDS as readonly string[]).includes(f)),
    );
    expect([...COMPARED_FIELDS, ...ENRICHED_TRACE_FIELDS].sort()).toEqual(
      [...ENRICHED_FIELDS].sort(),
    );
  });
});

describe('rowKey helpers', () => {
  const base = (): ComparableRow => {
    const { recordType: _o, ...o } = order(1);
    const { recordType: _i, ...i } = item(1, 999900001);
    return { ...o, ...i, productName: 'Oak Desk' };
  };

  it('canonicalRow ignores event_ts and the arrival timestamps', () => {
    const a = { ...enriched(base()), event_ts: 5, order_arrival_ts: 6 };
    const b = { ...enriched(base()), event_ts: 50, item_arrival_ts: 60 };
    expect(canonicalRow(a)).toBe(canonicalRow(b));
  });

  it('diffRows names each differing field with both values', () => {
    expect(diffRows(base(), { ...base(), productName: null, itemAmount: 11 })).toEqual([
      { field: 'itemAmount', expected: 10.5, actual: 11 },
      { field: 'productName', expected: 'Oak Desk', actual: null },
    ]);
  });
});

// One partition holding `rows` (one per key).
function partition(rows: ComparableRow[]): ExpectedPartition {
  return {
    rows: () => rows,
    row: (orderId, itemId) => rows.find((r) => r.orderId === orderId && r.itemId === itemId),
  };
}

describe('compareLanded', () => {
  const rows = (): ComparableRow[] =>
    [1, 2, 3].map((orderId) => {
      const { recordType: _o, ...o } = order(orderId);
      const { recordType: _i, ...i } = item(orderId, 999900001);
      return { ...o, ...i, productName: 'Oak Desk' };
    });

  it('finds an exact table exact', async () => {
    const expected = rows();
    const table = expected.map((r) => toDynamoItem(enriched(r)));
    const result = await compareLanded({
      landed: table,
      expected: partition(expected),
      reread: async () => undefined,
    });
    expect(result).toMatchObject({
      expected: 3,
      landed: 3,
      matched: 3,
      missing: 0,
      unexpected: 0,
      mismatched: 0,
    });
  });

  it('counts missing, unexpected and mismatched rows with examples', async () => {
    const expected = rows();
    const changed = { ...expected[1]!, shipToCity: 'Shelbyville' };
    const extra = { ...expected[0]!, orderId: 99 };
    const table = [changed, expected[2]!, extra].map((r) => toDynamoItem(enriched(r)));
    const result = await compareLanded({
      landed: table,
      expected: partition(expected),
      reread: async (row) =>
        table.find((i) => (i.orderId as { N: string }).N === String(row.orderId)),
    });
    expect(result).toMatchObject({
      expected: 3,
      landed: 3,
      matched: 1,
      missing: 1,
      unexpected: 1,
      mismatched: 1,
    });
    expect(result.examples.missing).toEqual(['1/999900001']);
    expect(result.examples.unexpected).toEqual(['99/999900001']);
    expect(result.examples.mismatched).toEqual([
      {
        key: '2/999900001',
        differences: [{ field: 'shipToCity', expected: 'Springfield', actual: 'Shelbyville' }],
      },
    ]);
  });

  // Yields `values`, yielding to the event loop before each value whose flag is set.
  async function* paced<T>(values: T[], pauses: boolean[]): AsyncGenerator<T> {
    for (const [i, value] of values.entries()) {
      if (pauses[i % Math.max(1, pauses.length)]) await new Promise((r) => setImmediate(r));
      yield value;
    }
  }

  it('agrees with a plain Map comparison whatever the pace of either side', async () => {
    const base = rows()[0]!;
    const cities = ['Springfield', 'Shelbyville'];
    // Rows over a few keys (so overlaps are common), two possible values; one per key a side.
    const row = fc
      .record({ orderId: fc.integer({ min: 1, max: 6 }), city: fc.constantFrom(0, 1) })
      .map(({ orderId, city }) => ({ ...base, orderId, shipToCity: cities[city]! }));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(row, { selector: (r) => r.orderId, maxLength: 6 }),
        fc.uniqueArray(row, { selector: (r) => r.orderId, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        async (landedRows, expectedRows, landedPauses, expectedPauses) => {
          const table = landedRows.map((r) => toDynamoItem(enriched(r)));
          const result = await compareLanded({
            landed: paced(table, landedPauses),
            expected: {
              rows: () => paced(expectedRows, expectedPauses),
              row: partition(expectedRows).row,
            },
            reread: async (r) =>
              table.find((i) => (i.orderId as { N: string }).N === String(r.orderId)),
            examples: 2,
          });
          // The reference: every landed row in a Map, then the expected rows in file order.
          const byKey = new Map(landedRows.map((r) => [rowKey(r), r]));
          let matched = 0;
          let mismatched = 0;
          let missing = 0;
          const mismatchedKeys = new Set<string>();
          for (const r of expectedRows) {
            const found = byKey.get(rowKey(r));
            byKey.delete(rowKey(r));
            if (found === undefined) missing += 1;
            else if (canonicalRow(found) === canonicalRow(r)) matched += 1;
            else {
              mismatched += 1;
              mismatchedKeys.add(rowKey(r));
            }
          }
          expect(result).toMatchObject({
            expected: expectedRows.length,
            landed: landedRows.length,
            matched,
            mismatched,
            missing,
            unexpected: byKey.size,
            invalid: 0,
          });
          expect(result.examples.missing).toHaveLength(Math.min(2, missing));
          for (const key of result.examples.unexpected) expect(byKey.has(key)).toBe(true);
          expect(result.examples.unexpected).toHaveLength(Math.min(2, byKey.size));
          expect(result.examples.mismatched).toHaveLength(Math.min(2, mismatched));
          for (const example of result.examples.mismatched) {
            expect(mismatchedKeys.has(example.key)).toBe(true);
            expect(example.differences.map((d) => d.field)).toEqual(['shipToCity']);
          }
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('counts an item that is not an enriched row as invalid', async () => {
    const result = await compareLanded({
      landed: [{ orderId: { N: '1' }, itemId: { N: '2' } }],
      expected: partition([]),
      reread: async () => undefined,
    });
    expect(result.invalid).toBe(1);
    expect(result.examples.invalid[0]!.key).toBe('1/2');
  });
});

describe('formatVerdict', () => {
  it('prints every count and EXACT only for an exact result', () => {
    const result = {
      table: 'OrdersEnriched',
      expected: 4,
      landed: 4,
      matched: 4,
      missing: 0,
      unexpected: 0,
      mismatched: 0,
      invalid: 0,
      deadLettered: 0,
      exact: true,
      input: emptyExpectedStats(),
      examples: { missing: [], unexpected: [], mismatched: [], invalid: [] },
      durationMs: 1,
    };
    const text = formatVerdict(result);
    expect(text).toMatch(
      /expected\s+4\n\s+landed\s+4\n\s+missing\s+0\n\s+unexpected\s+0\n\s+mismatched\s+0\n\s+dead-lettered\s+0/,
    );
    expect(text).toMatch(/^EXACT/m);
    expect(formatVerdict({ ...result, missing: 1, exact: false })).toMatch(/^NOT EXACT$/m);
  });
});
