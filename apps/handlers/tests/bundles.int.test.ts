// Smoke test of the BUILT bundles: each dist/handlers/<name>/index.mjs is loaded by a plain
// Node process (as the Lambda runtime loads it) of the Node line the stack deploys (24, the
// pinned binary of tools/node-matrix, whatever Node runs this test), configured only through
// environment variables — the same ones the CDK stack sets (handlerEnvironment) plus the
// standard AWS endpoint variables pointing at the local stack — and invoked with real-shaped
// Kinesis events built from records read back from the local Kinesis.
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ensureJoinStateTable } from '@kse/enrich';
import { toKinesisStreamEvent } from '@kse/lambda';
import {
  createAwsClients,
  ensureBucket,
  ensureStream,
  ensureTable,
  type AwsClients,
  type AwsConfig,
} from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_RUNTIME } from '../infra/constructs/Functions.js';
import {
  handlerEnvironment,
  KSE_METRICS,
  type BundleName,
  type HandlerResources,
} from '../infra/handlerEnvironment.js';
import { APP_ROOT, BUNDLE_DIR } from './support/synth.js';

type KinesisStreamEvent = ReturnType<typeof toKinesisStreamEvent>;

const run = promisify(execFile);
const INVOKER = path.join(APP_ROOT, 'tests', 'support', 'invokeBundle.mjs');
const REPO_ROOT = path.resolve(APP_ROOT, '../..');

/** The Node major the stack's functions run (`nodejs24.x` → `24`). */
const RUNTIME_MAJOR = /^nodejs(\d+)\.x$/.exec(FUNCTION_RUNTIME.name)![1]!;

/**
 * The pinned Node binary of the runtime's line, from tools/node-matrix (installed from the npm
 * registry on first use). Asked through its command line: apps do not import tools.
 */
async function runtimeNode(): Promise<string> {
  const { stdout } = await run(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
    [path.join(REPO_ROOT, 'tools', 'node-matrix', 'src', 'cli.ts'), 'which', RUNTIME_MAJOR],
    { timeout: 600_000 },
  );
  return stdout.trim();
}

let node = '';

interface Invocation {
  outcome:
    | { ok: true; result: { batchItemFailures: { itemIdentifier: string }[] } }
    | { ok: false; error: { name?: string; code?: string; message: string } };
  /** Every JSON line the function printed: Powertools logs and EMF metrics. */
  lines: Record<string, unknown>[];
  /** `process.version` of the process that ran the bundle. */
  nodeVersion: string;
}

/** Runs one bundle in a fresh Node process with exactly `env` (plus PATH), like a cold start. */
async function invokeBundle(
  name: BundleName,
  event: KinesisStreamEvent | Record<string, unknown>,
  env: Record<string, string>,
): Promise<Invocation> {
  const child = run(node, [INVOKER, path.join(BUNDLE_DIR, name, 'index.mjs'), name], {
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  child.child.stdin!.end(JSON.stringify(event));
  const { stdout } = await child;
  const lines = stdout.split('\n');
  const resultLine = lines.find((line) => line.startsWith('KSE_RESULT '));
  if (!resultLine) throw new Error(`no result from ${name}:\n${stdout}`);
  const nodeLine = lines.find((line) => line.startsWith('KSE_NODE '));
  return {
    outcome: JSON.parse(resultLine.slice('KSE_RESULT '.length)) as Invocation['outcome'],
    lines: lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>),
    nodeVersion: nodeLine?.slice('KSE_NODE '.length) ?? '',
  };
}

/** What the Lambda runtime sets for every function: an on-demand cold start of index.handler. */
const LAMBDA_RUNTIME_ENV = {
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  _HANDLER: 'index.handler',
};

/** One X-Ray document (segment or subsegment), as the daemon receives it. */
interface TraceDocument {
  name: string;
  trace_id?: string;
  namespace?: string;
  annotations?: Record<string, unknown>;
  aws?: Record<string, unknown>;
  subsegments?: TraceDocument[];
}

/**
 * A stand-in for the X-Ray daemon: a UDP socket on a free loopback port that keeps every
 * document sent to it (`{"format":"json","version":1}` header, newline, JSON), nested
 * subsegments flattened.
 */
async function startXRayDaemon(): Promise<{
  address: string;
  documents: TraceDocument[];
  close: () => void;
}> {
  const socket: Socket = createSocket('udp4');
  const documents: TraceDocument[] = [];
  const flatten = (document: TraceDocument): void => {
    documents.push(document);
    for (const child of document.subsegments ?? []) flatten(child);
  };
  socket.on('message', (message) => {
    const body = message.toString('utf8').split('\n').slice(1).join('\n');
    flatten(JSON.parse(body) as TraceDocument);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    documents,
    close: () => socket.close(),
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The EMF metrics a function emitted: metric name → value, for namespace kse and its service. */
function emfMetrics(lines: Record<string, unknown>[], name: BundleName): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const line of lines) {
    const aws = line._aws as
      | {
          CloudWatchMetrics: {
            Namespace: string;
            Dimensions: string[][];
            Metrics: { Name: string }[];
          }[];
        }
      | undefined;
    if (!aws) continue;
    for (const directive of aws.CloudWatchMetrics) {
      if (directive.Namespace !== KSE_METRICS.namespace) continue;
      if (line.service !== KSE_METRICS.serviceName(name)) continue;
      expect(directive.Dimensions).toContainEqual(['service']);
      for (const metric of directive.Metrics) metrics[metric.Name] = line[metric.Name] as number;
    }
  }
  return metrics;
}

/** Every record of a stream (all shards, from the start), as Lambda would poll them. */
async function readStream(
  kinesis: KinesisClient,
  streamName: string,
): Promise<{ shardId: string; records: Parameters<typeof toKinesisStreamEvent>[0][number][] }[]> {
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  const shards = [];
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId!,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const records = [];
    while (iterator) {
      const page = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const record of page.Records ?? []) {
        records.push({
          sequenceNumber: record.SequenceNumber!,
          partitionKey: record.PartitionKey!,
          data: Buffer.from(record.Data!).toString('base64'),
          arrivalMs: record.ApproximateArrivalTimestamp!.getTime(),
        });
      }
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
    shards.push({ shardId: shard.ShardId!, records });
  }
  return shards;
}

function decodeAll(shards: Awaited<ReturnType<typeof readStream>>): Record<string, unknown>[] {
  return shards.flatMap((shard) =>
    shard.records.map(
      (r) => JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')) as Record<string, unknown>,
    ),
  );
}

/** One Kinesis event per shard that has records, as the event source mapping would send. */
function eventsOf(
  shards: Awaited<ReturnType<typeof readStream>>,
  streamName: string,
  config: AwsConfig,
): KinesisStreamEvent[] {
  return shards
    .filter((shard) => shard.records.length > 0)
    .map((shard) =>
      toKinesisStreamEvent(shard.records, {
        streamArn: `arn:aws:kinesis:${config.region}:000000000000:stream/${streamName}`,
        shardId: shard.shardId,
        region: config.region,
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/kse-smoke',
      }),
    );
}

/** A DynamoDB attribute value as plain JSON (the types OrdersEnriched holds). */
function plain(value: AttributeValue): unknown {
  if (value.N !== undefined) return Number(value.N);
  if (value.S !== undefined) return value.S;
  if (value.NULL) return null;
  if (value.BOOL !== undefined) return value.BOOL;
  throw new Error(`unexpected attribute ${JSON.stringify(value)}`);
}

async function scanTable(
  clients: AwsClients,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await clients.dynamodb.send(new ScanCommand({ TableName: tableName }));
  return Items.map((item) =>
    Object.fromEntries(Object.entries(item).map(([k, v]) => [k, plain(v)])),
  ).sort((a, b) => (a.itemId as number) - (b.itemId as number));
}

const ORDER_ID = 10000001;
const KNOWN_PRODUCT = 999900001;
const UNKNOWN_PRODUCT = 999900777;
const order = {
  orderId: ORDER_ID,
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
const item = (itemId: number, itemAmount: number) => ({
  orderId: ORDER_ID,
  itemId,
  itemQuantity: 1,
  itemAmount,
  itemStatus: 'Ready',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  recordType: 'OrderItem',
});

describe('built bundles against the local stack (seed topology, then fused)', () => {
  let config: AwsConfig;
  let clients: AwsClients;
  let resources: HandlerResources;
  let fusedTable: string;
  let fusedState: string;
  let awsEnv: Record<string, string>;
  let cdcEvents: KinesisStreamEvent[] = [];

  beforeAll(async () => {
    node = await runtimeNode();
    config = testAwsConfig();
    clients = createAwsClients(config);
    resources = {
      topology: 'seed',
      ordersStreamName: uniqueName('orders'),
      enrichedStreamName: uniqueName('enriched'),
      deadLetterStreamName: uniqueName('dead-letters'),
      ordersEnrichedTableName: uniqueName('orders-enriched'),
      joinStateTableName: uniqueName('join-state'),
      productsBucket: uniqueName('products'),
      productsKey: 'products/products.json',
      joinWindowSeconds: 60,
    };
    fusedTable = uniqueName('orders-enriched-fused');
    fusedState = uniqueName('join-state-fused');
    const cdc = uniqueName('cdc');
    const ordersTable = (tableName: string) =>
      ensureTable(clients.dynamodb, {
        tableName,
        partitionKey: { name: 'orderId', type: 'N' },
        sortKey: { name: 'itemId', type: 'N' },
      });
    await Promise.all([
      ensureStream(clients.kinesis, { streamName: cdc, shardCount: 1 }),
      ensureStream(clients.kinesis, { streamName: resources.ordersStreamName, shardCount: 1 }),
      ensureStream(clients.kinesis, { streamName: resources.enrichedStreamName!, shardCount: 1 }),
      ensureStream(clients.kinesis, { streamName: resources.deadLetterStreamName, shardCount: 1 }),
      ordersTable(resources.ordersEnrichedTableName),
      ordersTable(fusedTable),
      ensureJoinStateTable(clients.dynamodb, resources.joinStateTableName),
      ensureJoinStateTable(clients.dynamodb, fusedState),
      ensureBucket(clients.s3, resources.productsBucket),
    ]);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: resources.productsBucket,
        Key: resources.productsKey,
        Body: `${JSON.stringify({ productId: KNOWN_PRODUCT, productName: 'Oak Desk', productPrice: 129.99 })}\n`,
      }),
    );
    // The source records, on a CDC stream as DMS or `kse replay` would put them; one is not JSON.
    const raw = [order, item(KNOWN_PRODUCT, 129.99), item(UNKNOWN_PRODUCT, 130)].map((r) =>
      JSON.stringify(r),
    );
    await clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: cdc,
        Records: [...raw, '{"orderId": 10000001, "recordType":'].map((data) => ({
          PartitionKey: String(ORDER_ID),
          Data: Buffer.from(data, 'utf8'),
        })),
      }),
    );
    cdcEvents = eventsOf(await readStream(clients.kinesis, cdc), cdc, config);
    awsEnv = {
      AWS_REGION: config.region,
      AWS_ACCESS_KEY_ID: config.credentials!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: config.credentials!.secretAccessKey,
      AWS_ENDPOINT_URL_KINESIS: config.endpoints.kinesis!,
      AWS_ENDPOINT_URL_DYNAMODB: config.endpoints.dynamodb!,
      AWS_ENDPOINT_URL_S3: config.endpoints.s3!,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...LAMBDA_RUNTIME_ENV,
    };
  }, 600_000);

  afterAll(() => {
    clients?.kinesis.destroy();
    clients?.dynamodb.destroy();
    clients?.s3.destroy();
  });

  it(`runs every bundle on the pinned Node ${RUNTIME_MAJOR}, the line the stack deploys (${FUNCTION_RUNTIME.name})`, async () => {
    const { outcome, nodeVersion } = await invokeBundle(
      'sink',
      { Records: [] },
      {
        ...awsEnv,
        ...handlerEnvironment('sink', resources),
      },
    );
    expect(outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
    expect(nodeVersion).toMatch(new RegExp(`^v${RUNTIME_MAJOR}\\.`));
  });

  it('takes credentials past the environment from credentials.mjs: a container endpoint serves them', async () => {
    // No keys in the environment: the SDK's chain goes on (no profile files here, so past them
    // too) to the container endpoint, as on ECS; the bundle reads those links from the file
    // beside its entry.
    const served: string[] = [];
    const server = createServer((request, response) => {
      served.push(request.url ?? '');
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          AccessKeyId: config.credentials!.accessKeyId,
          SecretAccessKey: config.credentials!.secretAccessKey,
          Token: 'container-session-token',
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const home = await mkdtemp(path.join(tmpdir(), 'kse-no-profile-'));
    try {
      const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = awsEnv;
      const { port } = server.address() as AddressInfo;
      const { outcome } = await invokeBundle(
        'sweeper',
        {},
        {
          ...withoutKeys,
          HOME: home,
          AWS_CONFIG_FILE: path.join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials`,
          ...handlerEnvironment('sweeper', resources),
        },
      );
      expect(outcome).toMatchObject({ ok: true, result: { shards: 1, deadLettered: 0 } });
      expect(served).toContain('/credentials');
    } finally {
      server.close();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('preprocess bundle forwards typed records to OrdersStream and dead-letters bad input', async () => {
    expect(cdcEvents).toHaveLength(1);
    const { outcome, lines } = await invokeBundle('preprocess', cdcEvents[0]!, {
      ...awsEnv,
      ...handlerEnvironment('preprocess', resources),
    });
    expect(outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
    const forwarded = decodeAll(await readStream(clients.kinesis, resources.ordersStreamName));
    expect(forwarded.map((r) => [r.recordType, r.orderId, r.itemId])).toEqual([
      ['Order', ORDER_ID, undefined],
      ['OrderItem', ORDER_ID, KNOWN_PRODUCT],
      ['OrderItem', ORDER_ID, UNKNOWN_PRODUCT],
    ]);
    expect(forwarded[0]!.shipToName).toBe('Zoë Ångström 東京');
    const deadLetters = decodeAll(
      await readStream(clients.kinesis, resources.deadLetterStreamName),
    );
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.code).toMatch(/^KSE_/);
    expect(emfMetrics(lines, 'preprocess')).toMatchObject({
      [KSE_METRICS.recordsIn]: 4,
      [KSE_METRICS.recordsOut]: 3,
      [KSE_METRICS.deadLettered]: 1,
      ColdStart: 1,
    });
    // Every log line carries the invocation's Lambda context (Powertools' addContext).
    const summary = lines.find((line) => line.message === 'batch processed')!;
    expect(summary).toMatchObject({
      function_name: 'preprocess',
      cold_start: true,
      function_request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('enrich bundle (seed) joins orders with items, LEFT JOINs products from S3, puts rows on the enriched stream', async () => {
    const events = eventsOf(
      await readStream(clients.kinesis, resources.ordersStreamName),
      resources.ordersStreamName,
      config,
    );
    expect(events).toHaveLength(1);
    const { outcome, lines } = await invokeBundle('enrich', events[0]!, {
      ...awsEnv,
      ...handlerEnvironment('enrich', resources),
    });
    expect(outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
    const rows = decodeAll(await readStream(clients.kinesis, resources.enrichedStreamName!));
    expect(rows.map((r) => [r.orderId, r.itemId, r.productName, r.shipToName]).sort()).toEqual([
      [ORDER_ID, KNOWN_PRODUCT, 'Oak Desk', 'Zoë Ångström 東京'],
      [ORDER_ID, UNKNOWN_PRODUCT, null, 'Zoë Ångström 東京'],
    ]);
    expect(emfMetrics(lines, 'enrich')).toMatchObject({
      [KSE_METRICS.recordsIn]: 3,
      [KSE_METRICS.recordsOut]: 2,
      [KSE_METRICS.deadLettered]: 0,
    });
  });

  it('sink bundle writes the enriched rows to OrdersEnriched and reports end-to-end latency', async () => {
    const events = eventsOf(
      await readStream(clients.kinesis, resources.enrichedStreamName!),
      resources.enrichedStreamName!,
      config,
    );
    expect(events).toHaveLength(1);
    const { outcome, lines } = await invokeBundle('sink', events[0]!, {
      ...awsEnv,
      ...handlerEnvironment('sink', resources),
    });
    expect(outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
    const items = await scanTable(clients, resources.ordersEnrichedTableName);
    expect(items.map((i) => [i.orderId, i.itemId, i.productName ?? null, i.itemAmount])).toEqual([
      [ORDER_ID, KNOWN_PRODUCT, 'Oak Desk', 129.99],
      [ORDER_ID, UNKNOWN_PRODUCT, null, 130],
    ]);
    const metrics = emfMetrics(lines, 'sink');
    expect(metrics[KSE_METRICS.recordsOut]).toBe(2);
    expect(metrics[KSE_METRICS.endToEndLatencyMax]).toBeGreaterThanOrEqual(0);
  });

  it('traces where Lambda traces: a ## index.handler subsegment (ColdStart, Service) and one per SDK call reach X-Ray', async () => {
    const events = eventsOf(
      await readStream(clients.kinesis, resources.enrichedStreamName!),
      resources.enrichedStreamName!,
      config,
    );
    const daemon = await startXRayDaemon();
    const traceId = '1-6751b7a0-0123456789abcdef01234567';
    try {
      // What Lambda adds with active tracing; the sink's writes are idempotent puts.
      const { outcome } = await invokeBundle('sink', events[0]!, {
        ...awsEnv,
        ...handlerEnvironment('sink', resources),
        AWS_EXECUTION_ENV: `AWS_Lambda_${FUNCTION_RUNTIME.name}`,
        LAMBDA_TASK_ROOT: path.join(BUNDLE_DIR, 'sink'),
        _X_AMZN_TRACE_ID: `Root=${traceId};Parent=53995c3f42cd8ad8;Sampled=1`,
        AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      });
      expect(outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
      const named = (name: string) => daemon.documents.filter((d) => d.name === name);
      await waitFor(() => named('## index.handler').length > 0, 'the handler subsegment');
      expect(named('## index.handler')).toEqual([
        expect.objectContaining({
          trace_id: traceId,
          annotations: { ColdStart: true, Service: 'kse-sink' },
        }),
      ]);
      expect(named('DynamoDB')).toContainEqual(
        expect.objectContaining({
          trace_id: traceId,
          namespace: 'aws',
          aws: expect.objectContaining({
            operation: 'BatchWriteItem',
          }) as unknown,
        }),
      );
    } finally {
      daemon.close();
    }
  });

  it('enrich bundle (fused) writes the rows straight to the table', async () => {
    const events = eventsOf(
      await readStream(clients.kinesis, resources.ordersStreamName),
      resources.ordersStreamName,
      config,
    );
    const fused: HandlerResources = {
      ...resources,
      topology: 'fused',
      enrichedStreamName: undefined,
      ordersEnrichedTableName: fusedTable,
      joinStateTableName: fusedState,
    };
    const env = { ...awsEnv, ...handlerEnvironment('enrich', fused) };
    expect(env.ENRICHED_STREAM).toBeUndefined();
    const { outcome, lines } = await invokeBundle('enrich', events[0]!, env);
    expect(outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
    const items = await scanTable(clients, fusedTable);
    expect(items.map((i) => [i.orderId, i.itemId, i.productName ?? null])).toEqual([
      [ORDER_ID, KNOWN_PRODUCT, 'Oak Desk'],
      [ORDER_ID, UNKNOWN_PRODUCT, null],
    ]);
    expect(emfMetrics(lines, 'enrich')[KSE_METRICS.endToEndLatencyMax]).toBeGreaterThanOrEqual(0);
  });

  it('sweeper bundle, invoked by its schedule, dead-letters an unmatched item whose shard got no other record', async () => {
    // A shard of its own: one lone item, processed by the enrich bundle (its state and the
    // shard's checkpoint committed), then no traffic. The join window is 1 s.
    const sweep: HandlerResources = {
      ...resources,
      ordersStreamName: uniqueName('orders-idle'),
      deadLetterStreamName: uniqueName('dead-letters-idle'),
      joinStateTableName: uniqueName('join-state-idle'),
      joinWindowSeconds: 1,
    };
    await Promise.all([
      ensureStream(clients.kinesis, { streamName: sweep.ordersStreamName, shardCount: 1 }),
      ensureStream(clients.kinesis, { streamName: sweep.deadLetterStreamName, shardCount: 1 }),
      ensureJoinStateTable(clients.dynamodb, sweep.joinStateTableName),
    ]);
    const loneOrderId = 20000001;
    await clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: sweep.ordersStreamName,
        Records: [
          {
            PartitionKey: String(loneOrderId),
            Data: Buffer.from(JSON.stringify({ ...item(KNOWN_PRODUCT, 1), orderId: loneOrderId })),
          },
        ],
      }),
    );
    const shards = await readStream(clients.kinesis, sweep.ordersStreamName);
    const [event] = eventsOf(shards, sweep.ordersStreamName, config);
    const enriched = await invokeBundle('enrich', event!, {
      ...awsEnv,
      ...handlerEnvironment('enrich', sweep),
    });
    expect(enriched.outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
    expect(decodeAll(await readStream(clients.kinesis, sweep.deadLetterStreamName))).toEqual([]);

    // The item can no longer match once the wall clock is past its arrival + the window.
    const expiresAt = shards[0]!.records[0]!.arrivalMs + 1_000;
    await waitFor(() => Date.now() > expiresAt + 100, 'the item to expire', 10_000);
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: new Date().toISOString(),
      region: config.region,
      resources: ['arn:aws:events:us-east-1:000000000000:rule/kse-sweeper'],
      detail: {},
    };
    const swept = await invokeBundle('sweeper', scheduled, {
      ...awsEnv,
      ...handlerEnvironment('sweeper', sweep),
    });
    expect(swept.outcome).toEqual({
      ok: true,
      result: {
        shards: 1,
        swept: [shards[0]!.shardId],
        skipped: [],
        deadLettered: 1,
        conflicts: 0,
      },
    });
    const deadLetters = decodeAll(await readStream(clients.kinesis, sweep.deadLetterStreamName));
    expect(deadLetters.map((d) => [d.code, (d.data as { orderId?: number }).orderId])).toEqual([
      ['KSE_JOIN_UNMATCHED', loneOrderId],
    ]);
    expect(emfMetrics(swept.lines, 'sweeper')).toMatchObject({ DeadLettered: 1, SweptShards: 1 });
  });

  it('a bundle without its configuration fails the cold start, naming the variable', async () => {
    const { outcome } = await invokeBundle('sink', { Records: [] }, awsEnv);
    expect(outcome).toMatchObject({
      ok: false,
      error: { code: 'KSE_LAMBDA_CONFIG_INVALID', message: expect.stringContaining('TABLE_NAME') },
    });
  });
});
