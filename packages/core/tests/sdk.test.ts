import { Agent as HttpAgent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent as HttpsAgent } from 'node:https';
import {
  RetryCounters,
  SDK_CLIENT_DEFAULTS,
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
  SDK_RETRY_MODE,
  SDK_SOCKET_IDLE_TIMEOUT_MS,
  createHttpHandler,
  isPlainHttp,
  sdkClientConfig,
} from '../src/index.js';

describe('SDK client defaults', () => {
  it('state the retry mode, attempts, timeouts and agents', () => {
    expect({
      SDK_MAX_ATTEMPTS,
      SDK_RETRY_MODE,
      SDK_CONNECTION_TIMEOUT_MS,
      SDK_REQUEST_TIMEOUT_MS,
      SDK_SOCKET_IDLE_TIMEOUT_MS,
    }).toEqual({
      SDK_MAX_ATTEMPTS: 3,
      SDK_RETRY_MODE: 'standard',
      SDK_CONNECTION_TIMEOUT_MS: 3_000,
      SDK_REQUEST_TIMEOUT_MS: 30_000,
      SDK_SOCKET_IDLE_TIMEOUT_MS: 10_000,
    });
    expect(SDK_CLIENT_DEFAULTS).toEqual({
      maxAttempts: 3,
      retryMode: 'standard',
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 30_000,
      socketIdleTimeoutMs: 10_000,
      agent: { keepAlive: true, keepAliveMsecs: 1_000, maxSockets: 50 },
    });
  });

  it('cannot be changed by one caller for all the others', () => {
    expect(Object.isFrozen(SDK_CLIENT_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(SDK_CLIENT_DEFAULTS.agent)).toBe(true);
  });

  it('sdkClientConfig gives the attempts, the retry mode and a handler of its own', () => {
    const config = sdkClientConfig();
    expect({ maxAttempts: config.maxAttempts, retryMode: config.retryMode }).toEqual({
      maxAttempts: 3,
      retryMode: 'standard',
    });
    expect(config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    expect(config.requestHandler).not.toBe(sdkClientConfig().requestHandler);
    config.requestHandler.destroy();
  });
});

describe('RetryCounters', () => {
  it('counts retries by kind, in the order kinds are first seen, and in total', () => {
    const retries = new RetryCounters();
    retries.add('kinesis.ProvisionedThroughputExceededException', 3);
    retries.add('dynamodb.UnprocessedItems');
    retries.add('kinesis.ProvisionedThroughputExceededException');
    retries.add('sdk.ThrottlingException', 0);
    expect(retries.byKind).toEqual({
      'kinesis.ProvisionedThroughputExceededException': 4,
      'dynamodb.UnprocessedItems': 1,
    });
    expect(retries.total).toBe(5);
  });
});

describe('isPlainHttp', () => {
  it('is true for an http:// endpoint only', () => {
    expect(isPlainHttp('http://127.0.0.1:4567')).toBe(true);
    expect(isPlainHttp('https://kinesis.eu-west-1.amazonaws.com')).toBe(false);
    expect(isPlainHttp(undefined)).toBe(false);
    expect(isPlainHttp('')).toBe(false);
  });
});

describe('createHttpHandler', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.setHeader('content-type', 'text/plain');
      response.end(`${request.httpVersion} ${request.headers.connection ?? ''}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('speaks HTTP/1.1 with keep-alive, on agents of at most 50 sockets, with the timeouts stated', async () => {
    const handler = createHttpHandler();
    expect(handler).toBeInstanceOf(NodeHttpHandler);
    const { response } = await handler.handle({
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      method: 'GET',
      path: '/',
      query: {},
      headers: { host: `127.0.0.1:${port}` },
    } as unknown as Parameters<NodeHttpHandler['handle']>[0]);
    const body = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const stream = response.body as NodeJS.ReadableStream;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      stream.on('error', reject);
    });
    expect({ status: response.statusCode, body }).toEqual({
      status: 200,
      body: '1.1 keep-alive',
    });
    const settings = handler.httpHandlerConfigs();
    expect(settings).toMatchObject({
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      throwOnRequestTimeout: true,
      socketTimeout: 10_000,
    });
    expect(settings.httpsAgent).toBeInstanceOf(HttpsAgent);
    expect((settings.httpsAgent as HttpsAgent & { keepAlive?: boolean }).keepAlive).toBe(true);
    const agent = settings.httpAgent as HttpAgent & { keepAlive?: boolean };
    expect(agent).toBeInstanceOf(HttpAgent);
    expect({ keepAlive: agent.keepAlive, maxSockets: agent.maxSockets }).toEqual({
      keepAlive: true,
      maxSockets: 50,
    });
    handler.destroy();
  });

  it('gives each call its own agent, so that one client’s pool is not another’s', () => {
    const a = createHttpHandler();
    const b = createHttpHandler();
    expect(a).not.toBe(b);
  });
});
