import { createHash } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultCounters, type FaultKind } from './FaultCounters.js';
import type { FaultSpec } from './faultSpec.js';
import { seededRandom } from './random.js';

/** The services a fault proxy speaks (both JSON protocols: Kinesis 1.1, DynamoDB 1.0). */
export type FaultProxyService = 'kinesis' | 'dynamodb';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  service: FaultProxyService;
  /** The emulator's endpoint, e.g. `http://127.0.0.1:4567`. */
  upstream: string;
  spec: FaultSpec;
  /** Counters to add to (shared by a stack's proxies); a fresh set by default. */
  counters?: FaultCounters;
  /** Clock, ms (the stall's start is measured from the proxy's start). */
  now?: () => number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** Where clients go instead of the upstream, `http://127.0.0.1:<port>`. */
  endpoint: string;
  service: FaultProxyService;
  counters: FaultCounters;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
}

// Operations faults apply to: the data plane. Control-plane calls (create, describe,
// delete, list tables) pass through untouched, except Kinesis ListShards, which AWS
// throttles with LimitExceededException.
const DATA_OPS: Record<FaultProxyService, ReadonlySet<string>> = {
  kinesis: new Set(['PutRecords', 'PutRecord', 'GetRecords', 'GetShardIterator', 'ListShards']),
  dynamodb: new Set([
    'BatchWriteItem',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'GetItem',
    'BatchGetItem',
    'Query',
    'TransactWriteItems',
    'TransactGetItems',
  ]),
};

/** Most pending retry marks kept (oldest dropped first): memory stays bounded. */
const MAX_PENDING = 100_000;

interface ErrorAnswer {
  status: number;
  type: string;
  message: string;
}

/**
 * Starts a fault-injecting HTTP proxy on loopback in front of one emulator. It forwards
 * every request and, seeded and rate-based ({@link FaultSpec}), answers some with the
 * error shapes of the AWS JSON protocols (status code, `x-amzn-ErrorType` header and
 * `__type` in the body), fails PutRecords entries (they are removed from the forwarded
 * request, so a failed entry is really not written), returns BatchWriteItem requests as
 * `UnprocessedItems` (likewise not written), expires GetRecords iterators, resets
 * connections, adds latency and stalls. Injected faults and the retries that answered
 * them are counted by kind ({@link FaultCounters}).
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ service: 'kinesis', upstream, spec: parseFaultSpec('throttle=0.05') });
 * const kinesis = createKinesisClient({ ...config, endpoints: { ...config.endpoints, kinesis: proxy.endpoint } });
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { service, spec } = options;
  const counters = options.counters ?? new FaultCounters();
  const now = options.now ?? Date.now;
  const random = seededRandom(spec.seed * 2 + (service === 'kinesis' ? 0 : 1));
  const upstream = new URL(options.upstream);
  const startedAt = now();
  // invocation id → fault kind, for whole-call faults; content hash → kind, for entries.
  const pendingCalls = new Map<string, FaultKind>();
  const pendingEntries = new Map<string, FaultKind>();
  let pendingExpired = 0;
  const mark = (map: Map<string, FaultKind>, key: string, kind: FaultKind): void => {
    map.set(key, kind);
    if (map.size > MAX_PENDING) map.delete(map.keys().next().value!);
  };
  const answered = (map: Map<string, FaultKind>, key: string): void => {
    const kind = map.get(key);
    if (kind === undefined) return;
    map.delete(key);
    counters.retried[kind] += 1;
  };
  const chance = (rate: number): boolean => rate > 0 && random() < rate;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const op = (req.headers['x-amz-target'] as string | undefined)?.split('.')[1] ?? '';
    const invocation = req.headers['amz-sdk-invocation-id'] as string | undefined;
    const attempt = Number(/attempt=(\d+)/.exec(String(req.headers['amz-sdk-request']))?.[1] ?? 1);
    if (invocation !== undefined && attempt > 1) answered(pendingCalls, invocation);
    if (op === 'GetShardIterator' && pendingExpired > 0) {
      pendingExpired -= 1;
      counters.retried.expired += 1;
    }

    await holdForStall();
    if (spec.latencyMs > 0) {
      counters.injected.latency += 1;
      await sleep(spec.latencyMs);
    }
    if (!DATA_OPS[service].has(op)) return forward(req, res, body);

    const whole = wholeCallFault(op);
    if (whole !== null) {
      counters.injected[whole.kind] += 1;
      if (invocation !== undefined) mark(pendingCalls, invocation, whole.kind);
      if (whole.kind === 'expired') pendingExpired += 1;
      if (whole.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      return sendError(res, service, whole.answer!);
    }
    if (op === 'PutRecords' && spec.partial > 0) return putRecords(req, res, body);
    if (op === 'BatchWriteItem' && spec.unprocessed > 0) return batchWrite(req, res, body);
    return forward(req, res, body);
  }

  function wholeCallFault(op: string): { kind: FaultKind; answer?: ErrorAnswer } | null {
    if (chance(spec.reset)) return { kind: 'reset' };
    if (chance(spec.throttle))
      return { kind: 'throttle', answer: throttleAnswer(service, op, random) };
    if (chance(spec.serverError))
      return { kind: '5xx', answer: serverErrorAnswer(service, random) };
    if (op === 'GetRecords' && chance(spec.expired)) {
      return {
        kind: 'expired',
        answer: {
          status: 400,
          type: 'ExpiredIteratorException',
          message:
            'Iterator expired. The iterator was created at time X while right now it is Y (injected)',
        },
      };
    }
    return null;
  }

  // Fails some entries: they are taken out of the forwarded request (so not written) and
  // put back into the answer at their positions, with an ErrorCode.
  async function putRecords(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const input = JSON.parse(body.toString('utf8')) as {
      Records: { Data: string; PartitionKey: string }[];
    };
    const records = input.Records;
    for (const record of records) answered(pendingEntries, entryKey(record));
    const failed = records.map(() => chance(spec.partial));
    const kept = records.filter((_, i) => !failed[i]);
    let upstreamRecords: Record<string, unknown>[] = [];
    let upstreamFailed = 0;
    if (kept.length > 0) {
      const answer = await exchange(req, Buffer.from(JSON.stringify({ ...input, Records: kept })));
      if (answer.status !== 200) return relay(res, answer);
      const parsed = JSON.parse(answer.body.toString('utf8')) as {
        Records: Record<string, unknown>[];
        FailedRecordCount?: number;
      };
      upstreamRecords = parsed.Records;
      upstreamFailed = parsed.FailedRecordCount ?? 0;
    }
    let next = 0;
    let injected = 0;
    const out = records.map((record, i) => {
      if (!failed[i]) return upstreamRecords[next++]!;
      injected += 1;
      mark(pendingEntries, entryKey(record), 'partial');
      return random() < 0.5
        ? {
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: 'Rate exceeded for shard (injected)',
          }
        : { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure (injected)' };
    });
    counters.injected.partial += injected;
    sendJson(res, service, { FailedRecordCount: upstreamFailed + injected, Records: out });
  }

  // Returns some write requests as UnprocessedItems: only the rest is forwarded.
  async function batchWrite(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<void> {
    const input = JSON.parse(body.toString('utf8')) as { RequestItems: Record<string, unknown[]> };
    const forwarded: Record<string, unknown[]> = {};
    const unprocessed: Record<string, unknown[]> = {};
    let injected = 0;
    for (const [table, requests] of Object.entries(input.RequestItems)) {
      for (const request of requests) {
        const key = `${table}\u0000${JSON.stringify(request)}`;
        answered(pendingEntries, key);
        if (chance(spec.unprocessed)) {
          (unprocessed[table] ??= []).push(request);
          mark(pendingEntries, key, 'unprocessed');
          injected += 1;
        } else {
          (forwarded[table] ??= []).push(request);
        }
      }
    }
    if (injected === 0) return forward(req, res, body);
    counters.injected.unprocessed += injected;
    let upstreamAnswer: Record<string, unknown> = {};
    if (Object.keys(forwarded).length > 0) {
      const answer = await exchange(
        req,
        Buffer.from(JSON.stringify({ ...input, RequestItems: forwarded })),
      );
      if (answer.status !== 200) return relay(res, answer);
      upstreamAnswer = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    }
    const merged = { ...((upstreamAnswer.UnprocessedItems ?? {}) as Record<string, unknown[]>) };
    for (const [table, requests] of Object.entries(unprocessed)) {
      merged[table] = [...(merged[table] ?? []), ...requests];
    }
    sendJson(res, service, { ...upstreamAnswer, UnprocessedItems: merged });
  }

  async function holdForStall(): Promise<void> {
    if (spec.stall === null) return;
    const from = startedAt + spec.stall.atMs;
    const until = from + spec.stall.durationMs;
    const t = now();
    if (t < from || t >= until) return;
    counters.injected.stall += 1;
    await sleep(until - t);
  }

  function exchange(req: IncomingMessage, body: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...withoutHopHeaders(req.headers), 'content-length': String(body.length) },
        },
        (answer) => {
          readBody(answer).then(
            (b) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: b }),
            reject,
          );
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  async function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    relay(res, await exchange(req, body));
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The upstream failed (or died): the client sees its connection reset, as it would
      // talking to the emulator directly.
      req.socket.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    service,
    counters,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function throttleAnswer(service: FaultProxyService, op: string, random: () => number): ErrorAnswer {
  if (service === 'kinesis') {
    return op === 'ListShards'
      ? {
          status: 400,
          type: 'LimitExceededException',
          message: 'Rate exceeded for ListShards (injected)',
        }
      : {
          status: 400,
          type: 'ProvisionedThroughputExceededException',
          message: 'Rate exceeded for shard (injected)',
        };
  }
  return random() < 0.5
    ? {
        status: 400,
        type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message:
          'The level of configured provisioned throughput for the table was exceeded (injected)',
      }
    : {
        status: 400,
        type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: 'Throughput exceeds the current capacity of your table or index (injected)',
      };
}

function serverErrorAnswer(service: FaultProxyService, random: () => number): ErrorAnswer {
  if (random() < 0.5) {
    return {
      status: 503,
      type:
        service === 'kinesis'
          ? 'ServiceUnavailable'
          : 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
      message: 'Service unavailable (injected)',
    };
  }
  return service === 'kinesis'
    ? { status: 500, type: 'InternalFailure', message: 'Internal service failure (injected)' }
    : {
        status: 500,
        type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
        message: 'Internal server error (injected)',
      };
}

const CONTENT_TYPE: Record<FaultProxyService, string> = {
  kinesis: 'application/x-amz-json-1.1',
  dynamodb: 'application/x-amz-json-1.0',
};

function sendError(res: ServerResponse, service: FaultProxyService, answer: ErrorAnswer): void {
  const body = JSON.stringify({ __type: answer.type, message: answer.message });
  res.writeHead(answer.status, {
    'content-type': CONTENT_TYPE[service],
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': `${answer.type.split('#').pop()}:`,
    'x-amzn-requestid': requestId(),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, service: FaultProxyService, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, {
    'content-type': CONTENT_TYPE[service],
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId(),
  });
  res.end(body);
}

function relay(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, {
    ...withoutHopHeaders(answer.headers),
    'content-length': String(answer.body.length),
  });
  res.end(answer.body);
}

function withoutHopHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'content-length'])
    delete copy[h];
  return copy;
}

function entryKey(record: { Data: string; PartitionKey: string }): string {
  return createHash('sha1')
    .update(record.PartitionKey)
    .update('\u0000')
    .update(record.Data)
    .digest('base64');
}

let requestCounter = 0;
function requestId(): string {
  requestCounter += 1;
  return `kse-fault-${process.pid}-${requestCounter}`;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
