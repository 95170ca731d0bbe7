import { BatchWriteItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NO_FAULTS,
  createDynamoDbClient,
  createKinesisClient,
  ensureStream,
  ensureTable,
  startFaultProxy,
  type FaultProxy,
  type FaultSpec,
} from '../src/index.js';
import { testAwsConfig, uniqueName } from '../src/testing/index.js';

// Each injected error must reach the caller as the real SDK client's exception of that
// name: that is what proves the proxy's error shapes are the AWS protocols' own.
const config = testAwsConfig();
const proxies: FaultProxy[] = [];

async function proxied(
  service: 'kinesis' | 'dynamodb',
  spec: Partial<FaultSpec>,
): Promise<{ proxy: FaultProxy; kinesis: KinesisClient; dynamodb: DynamoDBClient }> {
  const proxy = await startFaultProxy({
    service,
    upstream: config.endpoints[service]!,
    spec: { ...NO_FAULTS, ...spec },
  });
  proxies.push(proxy);
  const endpoints = { ...config.endpoints, [service]: proxy.endpoint };
  return {
    proxy,
    kinesis: createKinesisClient({ ...config, endpoints }, { maxAttempts: 1 }),
    dynamodb: createDynamoDbClient({ ...config, endpoints }, { maxAttempts: 1 }),
  };
}

const stream = uniqueName('faults');
const table = uniqueName('faults');

beforeAll(async () => {
  const kinesis = createKinesisClient(config);
  const dynamodb = createDynamoDbClient(config);
  try {
    await ensureStream(kinesis, { streamName: stream, shardCount: 1 });
    await ensureTable(dynamodb, { tableName: table, partitionKey: { name: 'pk', type: 'S' } });
  } finally {
    kinesis.destroy();
    dynamodb.destroy();
  }
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

const records = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ Data: Buffer.from(`r${i}`), PartitionKey: `k${i}` }));

describe('startFaultProxy: whole-call faults parse as the SDK exceptions of their name', () => {
  it('throttle on PutRecords → ProvisionedThroughputExceededException (400)', async () => {
    const { kinesis, proxy } = await proxied('kinesis', { throttle: 1 });
    const error = await kinesis
      .send(new PutRecordsCommand({ StreamName: stream, Records: records(2) }))
      .catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
    expect(error).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(proxy.counters.injected.throttle).toBe(1);
  });

  it('throttle on ListShards → LimitExceededException (400)', async () => {
    const { kinesis } = await proxied('kinesis', { throttle: 1 });
    await expect(kinesis.send(new ListShardsCommand({ StreamName: stream }))).rejects.toMatchObject(
      {
        name: 'LimitExceededException',
        $metadata: { httpStatusCode: 400 },
      },
    );
  });

  it('5xx on Kinesis → InternalFailure (500) or ServiceUnavailable (503)', async () => {
    const { kinesis } = await proxied('kinesis', { serverError: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const error = (await kinesis
        .send(new PutRecordsCommand({ StreamName: stream, Records: records(1) }))
        .catch((e: unknown) => e)) as { name: string; $metadata: { httpStatusCode: number } };
      seen.add(`${error.name}:${error.$metadata.httpStatusCode}`);
    }
    expect([...seen].sort()).toEqual(['InternalFailure:500', 'ServiceUnavailable:503']);
  });

  it('throttle and 5xx on DynamoDB → the DynamoDB exceptions', async () => {
    const put = { RequestItems: { [table]: [{ PutRequest: { Item: { pk: { S: 'a' } } } }] } };
    const throttled = await proxied('dynamodb', { throttle: 1 });
    const failed = await proxied('dynamodb', { serverError: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      for (const { dynamodb } of [throttled, failed]) {
        const error = (await dynamodb
          .send(new BatchWriteItemCommand(put))
          .catch((e: unknown) => e)) as { name: string; $metadata: { httpStatusCode: number } };
        seen.add(`${error.name}:${error.$metadata.httpStatusCode}`);
      }
    }
    expect([...seen].sort()).toEqual([
      'InternalServerError:500',
      'ProvisionedThroughputExceededException:400',
      'ServiceUnavailable:503',
      'ThrottlingException:400',
    ]);
  });

  it('expired on GetRecords → ExpiredIteratorException; a reset is a network error', async () => {
    const direct = createKinesisClient(config);
    const { ShardIterator } = await direct.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    direct.destroy();
    const { kinesis } = await proxied('kinesis', { expired: 1 });
    await expect(kinesis.send(new GetRecordsCommand({ ShardIterator }))).rejects.toMatchObject({
      name: 'ExpiredIteratorException',
      $metadata: { httpStatusCode: 400 },
    });
    const reset = await proxied('kinesis', { reset: 1 });
    await expect(
      reset.kinesis.send(new GetRecordsCommand({ ShardIterator })),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|EPIPE|socket hang up/) as unknown,
    });
    expect(reset.proxy.counters.injected.reset).toBe(1);
  });
});

describe('startFaultProxy: partial failures write only what they say they wrote', () => {
  it('PutRecords: failed entries carry an ErrorCode at their positions and are not in the stream', async () => {
    const name = uniqueName('partial');
    const direct = createKinesisClient(config);
    await ensureStream(direct, { streamName: name, shardCount: 1 });
    const { kinesis, proxy } = await proxied('kinesis', { partial: 0.5, seed: 3 });
    const sent = records(40);
    const answer = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: sent }));
    const failed = answer.Records!.flatMap((r, i) => (r.ErrorCode === undefined ? [] : [i]));
    expect(failed.length).toBeGreaterThan(0);
    expect(answer.FailedRecordCount).toBe(failed.length);
    expect(proxy.counters.injected.partial).toBe(failed.length);
    for (const i of failed) {
      expect(['ProvisionedThroughputExceededException', 'InternalFailure']).toContain(
        answer.Records![i]!.ErrorCode,
      );
    }
    const { ShardIterator } = await direct.send(
      new GetShardIteratorCommand({
        StreamName: name,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const got = await direct.send(new GetRecordsCommand({ ShardIterator }));
    const inStream = got.Records!.map((r) => r.PartitionKey);
    expect(inStream).toEqual(sent.filter((_, i) => !failed.includes(i)).map((r) => r.PartitionKey));
    // kse's own loop re-sends the failed entries: the proxy counts them as retries.
    await kinesis
      .send(new PutRecordsCommand({ StreamName: name, Records: failed.map((i) => sent[i]!) }))
      .catch(() => undefined);
    expect(proxy.counters.retried.partial).toBe(failed.length);
    direct.destroy();
  });

  it('BatchWriteItem: UnprocessedItems were not written, the rest were', async () => {
    const { dynamodb, proxy } = await proxied('dynamodb', { unprocessed: 0.5, seed: 5 });
    const keys = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const answer = await dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: keys.map((k) => ({ PutRequest: { Item: { pk: { S: k } } } })) },
      }),
    );
    const unprocessed = (answer.UnprocessedItems?.[table] ?? []).map(
      (r) => r.PutRequest!.Item!.pk!.S!,
    );
    expect(unprocessed.length).toBeGreaterThan(0);
    expect(proxy.counters.injected.unprocessed).toBe(unprocessed.length);
    const direct = createDynamoDbClient(config);
    const scan = await direct.send(new ScanCommand({ TableName: table }));
    direct.destroy();
    const stored = new Set(scan.Items!.map((i) => i.pk!.S!));
    for (const k of keys) expect(stored.has(k)).toBe(!unprocessed.includes(k));
  });
});

describe('startFaultProxy: the SDK retry that answers a whole-call fault is counted', () => {
  it('counts a retry by its invocation id and attempt number', async () => {
    const proxy = await startFaultProxy({
      service: 'kinesis',
      upstream: config.endpoints.kinesis!,
      spec: { ...NO_FAULTS, serverError: 0.3, seed: 11 },
    });
    proxies.push(proxy);
    const kinesis = createKinesisClient(
      { ...config, endpoints: { ...config.endpoints, kinesis: proxy.endpoint } },
      { maxAttempts: 10 },
    );
    for (let i = 0; i < 5; i++) {
      await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records(1) }));
    }
    expect(proxy.counters.injected['5xx']).toBeGreaterThan(0);
    expect(proxy.counters.retried['5xx']).toBe(proxy.counters.injected['5xx']);
    kinesis.destroy();
  });
});
