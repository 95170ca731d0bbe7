import { Agent as HttpAgent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SDK_CLIENT_DEFAULTS,
  SDK_MAX_ATTEMPTS,
  SDK_RETRY_MODE,
  createPlainHttpHandler,
  isPlainHttp,
} from '../src/index.js';

describe('SDK client defaults', () => {
  it('cap the SDK at 3 attempts in standard retry mode', () => {
    expect({ SDK_MAX_ATTEMPTS, SDK_RETRY_MODE }).toEqual({
      SDK_MAX_ATTEMPTS: 3,
      SDK_RETRY_MODE: 'standard',
    });
    expect(SDK_CLIENT_DEFAULTS).toEqual({
      maxAttempts: 3,
      retryMode: 'standard',
      plainHttpAgent: { keepAlive: true, maxSockets: 50 },
    });
  });

  it('cannot be changed by one caller for all the others', () => {
    expect(Object.isFrozen(SDK_CLIENT_DEFAULTS)).toBe(true);
    expect(Object.isFrozen(SDK_CLIENT_DEFAULTS.plainHttpAgent)).toBe(true);
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

describe('createPlainHttpHandler', () => {
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

  it('speaks HTTP/1.1 with keep-alive to a plain-HTTP endpoint, on an agent of at most 50 sockets', async () => {
    const handler = createPlainHttpHandler();
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
    const agent = handler.httpHandlerConfigs().httpAgent as HttpAgent & { keepAlive?: boolean };
    expect(agent).toBeInstanceOf(HttpAgent);
    expect({ keepAlive: agent.keepAlive, maxSockets: agent.maxSockets }).toEqual({
      keepAlive: true,
      maxSockets: 50,
    });
    handler.destroy();
  });

  it('gives each call its own agent, so that one client’s pool is not another’s', () => {
    const a = createPlainHttpHandler();
    const b = createPlainHttpHandler();
    expect(a).not.toBe(b);
  });
});
