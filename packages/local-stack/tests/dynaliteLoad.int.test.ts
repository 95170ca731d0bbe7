// dynalite loaded by someone else before this package: its actions hold dynalite's own
// putItem, so loadDynalite must give this package a private copy bound to the dispatcher.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient, ensureTable } from '../src/index.js';
import {
  installDynaliteSpeedups,
  loadDynalite,
} from '../src/emulators/speedups/dynaliteSpeedups.js';

const requireHere = createRequire(import.meta.url);
// Before anything of this package loaded dynalite (startLocalStack loads it lazily).
const plainDynalite = requireHere('dynalite') as (options?: object) => Server;
const batchWriteItemPath = requireHere.resolve('dynalite/actions/batchWriteItem');
const plainBatchWriteItem = requireHere.cache[batchWriteItemPath];
const dynaliteDb = requireHere('dynalite/db') as { create: (options?: object) => unknown };

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(
    servers.map((server) => new Promise((resolve) => server.close(() => resolve(undefined)))),
  );
});

/** Item reads of the store of a server made by `factory`, for one 25-item BatchWriteItem. */
async function itemReadsOfABatch(factory: (options?: object) => Server): Promise<number> {
  const create = dynaliteDb.create;
  let store: { db: { _get: (...args: unknown[]) => unknown } } | undefined;
  dynaliteDb.create = (options) => (store = create(options) as typeof store);
  let server: Server;
  try {
    server = factory({ createTableMs: 10 });
  } finally {
    dynaliteDb.create = create;
  }
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let reads = 0;
  const _get = store!.db._get;
  store!.db._get = function (this: unknown, ...args: unknown[]) {
    if (String(args[0]).startsWith('item-')) reads += 1;
    return _get.apply(this, args);
  };
  const ddb = createDynamoDbClient({
    region: 'us-east-1',
    endpoints: { dynamodb: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await ensureTable(ddb, { tableName: 'Orders', partitionKey: { name: 'id', type: 'N' } });
    const out = await ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          Orders: Array.from({ length: 25 }, (_, i) => ({
            PutRequest: { Item: { id: { N: String(i) } } },
          })),
        },
      }),
    );
    expect(out.UnprocessedItems).toEqual({});
    return reads;
  } finally {
    ddb.destroy();
  }
}

describe('loadDynalite after dynalite was loaded elsewhere', () => {
  it('returns a private copy whose BatchWriteItem goes through the dispatcher; the require cache is left as it was', async () => {
    installDynaliteSpeedups();
    const ours = loadDynalite();
    expect(ours).not.toBe(plainDynalite);
    expect(loadDynalite()).toBe(ours);
    expect(requireHere('dynalite')).toBe(plainDynalite);
    expect(requireHere.cache[batchWriteItemPath]).toBe(plainBatchWriteItem);

    // The earlier copy bound dynalite's own putItem: it reads every old item.
    expect(await itemReadsOfABatch(plainDynalite)).toBe(25);
    expect(await itemReadsOfABatch(ours)).toBe(0);
  });
});
