import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InMemoryJoinStore } from '@kse/enrich';
import { createAwsClients, ensureBucket, ensureStream } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnrichHandler, toKinesisStreamEvent } from '../../../src/index.js';

// The enrich handler's S3 client given as a function: made on the products' first load (the
// handler bundles load the S3 client then, from a file of its own), once, and again only
// after a failed attempt.

const config = testAwsConfig();
const clients = createAwsClients(config);
afterAll(() => {
  clients.kinesis.destroy();
  clients.s3.destroy();
});

const ORDER_ID = 30000001;
const PRODUCT_ID = 999900001;
const order = {
  orderId: ORDER_ID,
  orderAmount: 10,
  orderStatus: 'NEW',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  shipToName: 'Ana Silva',
  shipToAddress: '1 Main St',
  shipToCity: 'Lisbon',
  shipToState: 'LX',
  shipToZip: '1000',
  recordType: 'Order',
};
const item = {
  orderId: ORDER_ID,
  itemId: PRODUCT_ID,
  itemQuantity: 1,
  itemAmount: 10,
  itemStatus: 'NEW',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  recordType: 'OrderItem',
};

function eventOf(records: object[], firstSequence: number) {
  const now = Date.now();
  return toKinesisStreamEvent(
    records.map((record, index) => ({
      sequenceNumber: String(firstSequence + index),
      partitionKey: String(ORDER_ID),
      data: Buffer.from(JSON.stringify(record)).toString('base64'),
      arrivalMs: now,
    })),
    {
      streamArn: `arn:aws:kinesis:${config.region}:000000000000:stream/orders`,
      shardId: 'shardId-000000000000',
      region: config.region,
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/kse',
    },
  );
}

async function rowsOn(streamName: string): Promise<Record<string, unknown>[]> {
  const { ShardIterator } = await clients.kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const { Records = [] } = await clients.kinesis.send(
    new GetRecordsCommand({ ShardIterator: ShardIterator! }),
  );
  return Records.map(
    (r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')) as Record<string, unknown>,
  );
}

describe('the enrich handler with its S3 client given as a function', () => {
  it('makes the client on the first load of the products, once; a failed attempt is tried again', async () => {
    const bucket = uniqueName('products');
    const enrichedStream = uniqueName('enriched');
    await Promise.all([
      ensureBucket(clients.s3, bucket),
      ensureStream(clients.kinesis, { streamName: enrichedStream, shardCount: 1 }),
    ]);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'products.json',
        Body: JSON.stringify([
          { productId: PRODUCT_ID, productName: 'Oak Desk', productPrice: 129.99 },
        ]),
      }),
    );
    let calls = 0;
    const s3 = async (): Promise<S3Client> => {
      calls += 1;
      if (calls === 1) throw new Error('the S3 client could not be made (injected)');
      return clients.s3;
    };
    const handler = createEnrichHandler({
      topology: 'seed',
      enrichedStream,
      productsS3Uri: `s3://${bucket}/products.json`,
      joinStore: () => new InMemoryJoinStore(),
      followReshards: false,
      kinesis: clients.kinesis,
      s3,
      env: {},
    });
    // Built, not yet invoked: no client made.
    expect(calls).toBe(0);

    await expect(handler(eventOf([order], 1))).rejects.toThrow('(injected)');
    expect(calls).toBe(1);

    await expect(handler(eventOf([order], 1))).resolves.toEqual({ batchItemFailures: [] });
    await expect(handler(eventOf([item], 2))).resolves.toEqual({ batchItemFailures: [] });
    expect(calls).toBe(2);
    const rows = await rowsOn(enrichedStream);
    expect(rows.map((row) => [row.orderId, row.itemId, row.productName])).toEqual([
      [ORDER_ID, PRODUCT_ID, 'Oak Desk'],
    ]);
  });
});
