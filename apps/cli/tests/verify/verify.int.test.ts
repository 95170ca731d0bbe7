import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient, ensureTable } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { ENRICHED_TABLE_KEY, toDynamoItem } from '@kse/schemas';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectedRows } from '../../src/verify/expectedRows.js';
import type { ComparableRow } from '../../src/verify/comparableRow.js';
import { verifyTable } from '../../src/verify/verifyTable.js';
import { rowKey } from '../../src/verify/rowKey.js';
import { runCli } from '../../src/program.js';

const config = testAwsConfig();
const dynamodb = createDynamoDbClient(config);
let dir: string;
let rows: ComparableRow[];

async function freshTable(items: ComparableRow[]): Promise<string> {
  const tableName = uniqueName('enriched');
  await ensureTable(dynamodb, { tableName, ...ENRICHED_TABLE_KEY });
  for (let i = 0; i < items.length; i += 25) {
    await dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [tableName]: items.slice(i, i + 25).map((row) => ({
            PutRequest: {
              Item: toDynamoItem({ ...row, event_ts: Date.now(), order_arrival_ts: 1 }),
            },
          })),
        },
      }),
    );
  }
  return tableName;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kse-verify-int-'));
  const products = Array.from({ length: 20 }, (_, i) => ({
    productId: 999900001 + i,
    productName: `Product ${i} — ünïcode`,
    productPrice: i + 0.25,
  }));
  const lines: unknown[] = [];
  for (let o = 0; o < 60; o += 1) {
    const orderId = 10000001 + o;
    const orderDateTime = new Date(Date.UTC(2026, 0, 1) + o * 1000).toISOString();
    lines.push({
      orderId,
      orderAmount: 3.5,
      orderStatus: 'New',
      orderDateTime,
      shipToName: `Name ${o}`,
      shipToAddress: `${o} Main St`,
      shipToCity: 'Springfield',
      shipToState: 'IL',
      shipToZip: '62701',
      recordType: 'Order',
    });
    // The last order sells an unknown product: LEFT JOIN gives productName null.
    for (const itemId of o === 59
      ? [999999999]
      : [999900001 + (o % 20), 999900001 + ((o + 1) % 20)]) {
      lines.push({
        orderId,
        itemId,
        itemQuantity: 1,
        itemAmount: 1.75,
        itemStatus: 'Ready',
        orderDateTime,
        recordType: 'OrderItem',
      });
    }
  }
  await writeFile(
    join(dir, 'products.json'),
    products.map((p) => JSON.stringify(p) + '\n').join(''),
  );
  await writeFile(join(dir, 'orders.json'), lines.map((l) => JSON.stringify(l) + '\n').join(''));
  rows = [];
  for await (const row of expectedRows({
    productsPath: join(dir, 'products.json'),
    ordersPath: join(dir, 'orders.json'),
  })) {
    rows.push(row);
  }
});

afterAll(() => dynamodb.destroy());

describe('verifyTable against the local stack', () => {
  it('finds a table holding exactly the expected rows exact', async () => {
    const tableName = await freshTable(rows);
    const result = await verifyTable({
      dynamodb,
      tableName,
      productsPath: join(dir, 'products.json'),
      ordersPath: join(dir, 'orders.json'),
      deadLettered: 0,
    });
    expect(result).toMatchObject({ expected: 119, landed: 119, matched: 119, exact: true });
    expect(result.input.unknownProducts).toBe(1);
  });

  it('reports a missing, an unexpected and a mismatched row with their keys', async () => {
    const changed = { ...rows[3]!, productName: null };
    const extra = { ...rows[0]!, itemId: 999900019, orderId: 10000001 };
    const tableName = await freshTable([...rows.slice(1, 3), changed, ...rows.slice(4), extra]);
    const result = await verifyTable({
      dynamodb,
      tableName,
      productsPath: join(dir, 'products.json'),
      ordersPath: join(dir, 'orders.json'),
      segments: 3,
    });
    expect(result).toMatchObject({
      expected: 119,
      landed: 119,
      missing: 1,
      unexpected: 1,
      mismatched: 1,
      exact: false,
    });
    expect(result.examples.missing).toEqual([`${rows[0]!.orderId}/${rows[0]!.itemId}`]);
    expect(result.examples.unexpected).toEqual(['10000001/999900019']);
    expect(result.examples.mismatched[0]!.differences).toEqual([
      { field: 'productName', expected: rows[3]!.productName, actual: null },
    ]);
  });
});

describe('verifyTable through the segmented, partitioned path', () => {
  it('catches a missing, an extra and a changed row across several partitions, and leaves no file', async () => {
    const changed = { ...rows[40]!, itemAmount: 99.5 };
    const extra = { ...rows[7]!, itemId: 999900020 };
    const tableName = await freshTable([
      ...rows.slice(0, 12),
      ...rows.slice(13, 40),
      changed,
      ...rows.slice(41),
      extra,
    ]);
    const tempDir = await mkdtemp(join(tmpdir(), 'kse-verify-parent-'));
    // Several partitions: the budget is a small share of the orders file.
    expect((await stat(join(dir, 'orders.json'))).size).toBeGreaterThan(4 * 4096);
    const result = await verifyTable({
      dynamodb,
      tableName,
      productsPath: join(dir, 'products.json'),
      ordersPath: join(dir, 'orders.json'),
      segments: 4,
      // Partitions of 4 KB of the orders file.
      partitionBytes: 4096,
      tempDir,
    });
    expect(result).toMatchObject({
      expected: 119,
      landed: 119,
      matched: 117,
      missing: 1,
      unexpected: 1,
      mismatched: 1,
      exact: false,
    });
    expect(result.examples.missing).toEqual([rowKey(rows[12]!)]);
    expect(result.examples.unexpected).toEqual([rowKey(extra)]);
    expect(result.examples.mismatched).toEqual([
      {
        key: rowKey(changed),
        differences: [{ field: 'itemAmount', expected: rows[40]!.itemAmount, actual: 99.5 }],
      },
    ]);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('finds the exact table exact, partitioned or not', async () => {
    const tableName = await freshTable(rows);
    const paths = {
      productsPath: join(dir, 'products.json'),
      ordersPath: join(dir, 'orders.json'),
    };
    for (const partitionBytes of [1024, 1 << 30]) {
      const result = await verifyTable({
        dynamodb,
        tableName,
        ...paths,
        partitionBytes,
        deadLettered: 0,
      });
      expect(result).toMatchObject({ expected: 119, landed: 119, matched: 119, exact: true });
      expect(result.input).toMatchObject({ orders: 60, items: 119, unknownProducts: 1 });
    }
  });
});

describe('verifyTable on awkward input lines, partitioned or not', () => {
  it('reads lines with CRLF, extra attributes, non-ASCII text and later copies the same way', async () => {
    const awkward = await mkdtemp(join(tmpdir(), 'kse-verify-awkward-'));
    const order = (orderId: number, shipToName: string) =>
      JSON.stringify({
        orderId,
        orderAmount: 3.5,
        orderStatus: 'New',
        orderDateTime: '2026-01-01T00:00:00.000Z',
        shipToName,
        shipToAddress: '1 Main St',
        shipToCity: 'Zürich',
        shipToState: 'ZH',
        shipToZip: '8001',
        recordType: 'Order',
      });
    const item = (orderId: number, itemAmount: number, extra: object = {}) =>
      JSON.stringify({
        orderId,
        itemId: 999900001,
        itemQuantity: 1,
        itemAmount,
        itemStatus: 'Ready',
        orderDateTime: '2026-01-01T00:00:00.000Z',
        recordType: 'OrderItem',
        ...extra,
      });
    const lines: string[] = [];
    for (let o = 0; o < 40; o += 1) {
      const orderId = 20000001 + o;
      lines.push(order(orderId, `Zoë ${o} 名前`), item(orderId, 1, { note: 'ignored', n: [1] }));
      // A later copy of each, changed: last write wins.
      lines.push(item(orderId, 2) + '\r', order(orderId, `Zoë ${o} (2)`), 'not json');
    }
    await writeFile(join(awkward, 'orders.json'), lines.join('\n') + '\n');
    await writeFile(
      join(awkward, 'products.json'),
      JSON.stringify({ productId: 999900001, productName: 'Café', productPrice: 1 }) + '\n',
    );
    const paths = {
      productsPath: join(awkward, 'products.json'),
      ordersPath: join(awkward, 'orders.json'),
    };
    const wanted: ComparableRow[] = [];
    for await (const row of expectedRows(paths)) wanted.push(row);
    expect(wanted).toHaveLength(40);
    expect(wanted[7]).toMatchObject({
      shipToName: 'Zoë 7 (2)',
      itemAmount: 2,
      productName: 'Café',
    });
    // The table holds the last copies, but for one row that holds the first copy's amount.
    const tableName = await freshTable(
      wanted.map((row, i) => (i === 7 ? { ...row, itemAmount: 1 } : row)),
    );
    for (const partitionBytes of [512, 1 << 30]) {
      const result = await verifyTable({ dynamodb, tableName, ...paths, partitionBytes });
      expect(result).toMatchObject({ expected: 40, landed: 40, matched: 39, mismatched: 1 });
      expect(result.input).toMatchObject({ orders: 80, items: 80, badLines: 40, repeatedKeys: 80 });
      expect(result.examples.mismatched).toEqual([
        {
          key: '20000008/999900001',
          differences: [{ field: 'itemAmount', expected: 2, actual: 1 }],
        },
      ]);
    }
  });
});

describe('kse verify', () => {
  it('exits 0 and prints EXACT for an exact table, 1 and NOT EXACT otherwise', async () => {
    const good = await freshTable(rows);
    const bad = await freshTable(rows.slice(1));
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const endpoint = config.endpoints.dynamodb!;
      expect(
        await runCli(['verify', '--input', dir, '--table', good, '--endpoint', endpoint]),
      ).toBe(0);
      expect(out.mock.calls.join('')).toMatch(/^EXACT/m);
      out.mockClear();
      process.exitCode = undefined;
      expect(await runCli(['verify', '--input', dir, '--table', bad, '--endpoint', endpoint])).toBe(
        1,
      );
      expect(out.mock.calls.join('')).toMatch(/missing\s+1\n[\s\S]*^NOT EXACT$/m);
    } finally {
      out.mockRestore();
      process.exitCode = undefined;
    }
  });

  it('exits 2 when an input file does not exist', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(
        await runCli(['verify', '--input', join(dir, 'nope'), '--endpoint', 'http://127.0.0.1:1']),
      ).toBe(2);
      expect(err.mock.calls.join('')).toMatch(/--products: no such file/);
    } finally {
      err.mockRestore();
    }
  });
});
