// dynalite 4.0.0 leaves the LevelDB iterator of every Scan and Query open (its streams call
// an iterator.return() that level 10's iterators do not have), and an open iterator holds
// on to memory that grows with every later write. With @kse/local-stack's fix (always on,
// speed-ups or not) every iterator a request opens is closed by the time it is answered.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  ListTablesCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, ensureTable, startEmulators } from '../src/index.js';
import { testAwsConfig } from '../src/testing/index.js';
import {
  ALL_PARTS,
  NO_PARTS,
  setDynaliteSpeedups,
  uninstallDynaliteSpeedups,
  type DynaliteSpeedupParts,
} from '../src/emulators/speedups/dynaliteSpeedups.js';

const requireHere = createRequire(import.meta.url);
const dynaliteDb = requireHere('dynalite/db') as { create: (options?: object) => unknown };

interface Iterator {
  close(): Promise<void>;
}
interface Store {
  db: Record<'keys' | 'values', (options?: object) => Iterator>;
}

const tempDirs: string[] = [];
afterAll(() => {
  uninstallDynaliteSpeedups();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** An on-disk dynalite whose store counts the LevelDB iterators opened and closed. */
async function countingDynalite(parts: DynaliteSpeedupParts) {
  setDynaliteSpeedups(parts);
  const create = dynaliteDb.create;
  let store: Store | undefined;
  dynaliteDb.create = (options) => (store = create(options) as Store);
  const dataDir = mkdtempSync(join(tmpdir(), 'kse-dynalite-iterators-'));
  tempDirs.push(dataDir);
  let emulators;
  try {
    emulators = await startEmulators(['dynamodb'], { dataDir });
  } finally {
    dynaliteDb.create = create;
  }
  const iterators = { opened: 0, closed: 0 };
  for (const kind of ['keys', 'values'] as const) {
    const open = store!.db[kind].bind(store!.db);
    store!.db[kind] = (options) => {
      const iterator = open(options);
      iterators.opened += 1;
      const close = iterator.close.bind(iterator);
      let closed = false;
      iterator.close = () => {
        if (!closed) iterators.closed += 1;
        closed = true;
        return close();
      };
      return iterator;
    };
  }
  const dynamodb = createDynamoDbClient({
    ...testAwsConfig(),
    endpoints: { dynamodb: emulators.endpoints.dynamodb! },
  });
  return { emulators, dynamodb, iterators };
}

describe.each([
  ['dynalite’s own code paths', NO_PARTS],
  ['every speed-up', ALL_PARTS],
])('dynalite iterators, with %s', (_name, parts) => {
  it('are all closed once a Scan, a paginated Scan, a Query or a ListTables is answered', async () => {
    const { emulators, dynamodb, iterators } = await countingDynalite(parts);
    try {
      await ensureTable(dynamodb, {
        tableName: 'orders',
        partitionKey: { name: 'orderId', type: 'S' },
        sortKey: { name: 'itemId', type: 'S' },
      });
      const requests = Array.from({ length: 20 }, (_, i) => ({
        PutRequest: { Item: { orderId: { S: `o${i % 4}` }, itemId: { S: `i${i}` } } },
      }));
      await dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { orders: requests.slice(0, 10) } }),
      );
      await dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { orders: requests.slice(10) } }),
      );

      const before = iterators.opened;
      const full = await dynamodb.send(new ScanCommand({ TableName: 'orders' }));
      expect(full.Count).toBe(20);

      // Stops at its Limit with items left: the stream is destroyed, not ended.
      let pages = 0;
      let seen = 0;
      let startKey: Record<string, never> | undefined;
      do {
        const page = await dynamodb.send(
          new ScanCommand({ TableName: 'orders', Limit: 3, ExclusiveStartKey: startKey }),
        );
        pages += 1;
        seen += page.Count ?? 0;
        startKey = page.LastEvaluatedKey as typeof startKey;
      } while (startKey !== undefined);
      expect({ pages, seen }).toEqual({ pages: 7, seen: 20 });

      const query = await dynamodb.send(
        new QueryCommand({
          TableName: 'orders',
          KeyConditionExpression: 'orderId = :o',
          ExpressionAttributeValues: { ':o': { S: 'o1' } },
        }),
      );
      expect(query.Count).toBe(5);
      expect((await dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['orders']);

      // Every request above opened at least one iterator, and none is left open.
      expect(iterators.opened - before).toBeGreaterThanOrEqual(10);
      expect(iterators.closed).toBe(iterators.opened);
    } finally {
      dynamodb.destroy();
      await emulators.stop();
    }
  });
});
