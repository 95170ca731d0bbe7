import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  createAwsClients,
  destroyAwsClients,
  ensureBucket,
  ensureStream,
  ensureTable,
  startLocalStack,
} from '../src/index.js';
import { uniqueName } from '../src/testing/index.js';
import {
  installKinesaliteSpeedups,
  kinesaliteSpeedupsInstalled,
  uninstallKinesaliteSpeedups,
} from '../src/emulators/speedups/kinesaliteSpeedups.js';

const packageDir = resolve(import.meta.dirname, '..');

function portOf(endpoint: string): number {
  return Number(new URL(endpoint).port);
}

/** Resolves true when something accepts a TCP connection on the port. */
function canBind(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function occupy(): Promise<Server & { port: number }> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () =>
      done(Object.assign(server, { port: (server.address() as { port: number }).port })),
    );
  });
}

describe('startLocalStack', () => {
  it('serves Kinesis, DynamoDB and S3 on three loopback ports with dummy credentials', async () => {
    const stack = await startLocalStack();
    const clients = createAwsClients(stack.config);
    try {
      const ports = Object.values(stack.endpoints).map(portOf);
      expect(new Set(ports).size).toBe(3);
      expect(Object.values(stack.endpoints).every((e) => e.startsWith('http://127.0.0.1:'))).toBe(
        true,
      );
      expect(stack.credentials).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
      const [streams, tables, buckets] = await Promise.all([
        clients.kinesis.send(new ListStreamsCommand({})),
        clients.dynamodb.send(new ListTablesCommand({})),
        clients.s3.send(new ListBucketsCommand({})),
      ]);
      expect([streams.StreamNames, tables.TableNames, buckets.Buckets ?? []]).toEqual([[], [], []]);
    } finally {
      destroyAwsClients(clients);
      await stack.stop();
    }
  });

  it('releases every port on stop(), even with client connections still open', async () => {
    const stack = await startLocalStack();
    const clients = createAwsClients(stack.config);
    await clients.kinesis.send(new ListStreamsCommand({}));
    await clients.dynamodb.send(new ListTablesCommand({}));
    await clients.s3.send(new ListBucketsCommand({}));
    await stack.stop();
    destroyAwsClients(clients);
    const ports = Object.values(stack.endpoints).map(portOf);
    expect(await Promise.all(ports.map(canBind))).toEqual([true, true, true]);
  });

  it('lets a process that started, used and stopped the stack exit on its own', async () => {
    const script = `
      import { startLocalStack, createAwsClients, destroyAwsClients, ensureStream, ensureTable, ensureBucket } from './src/index.ts';
      const stack = await startLocalStack();
      const clients = createAwsClients(stack.config);
      await ensureStream(clients.kinesis, { streamName: 'exit-check', shardCount: 1 });
      await ensureTable(clients.dynamodb, { tableName: 'exit-check', partitionKey: { name: 'id', type: 'S' } });
      await ensureBucket(clients.s3, 'exit-check');
      destroyAwsClients(clients);
      await stack.stop();
      process.stdout.write('stopped at ' + Date.now() + '\\n');
    `;
    const started = Date.now();
    const { code, stdout, stderr, exitedAt } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
      exitedAt: number;
    }>((done) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', '--no-warnings', '--input-type=module', '-e', script],
        { cwd: packageDir, timeout: 60_000, killSignal: 'SIGKILL' },
        (_error, out, err) =>
          done({ code: child.exitCode, stdout: out, stderr: err, exitedAt: Date.now() }),
      );
    });
    expect({ code, stderr, stdout }).toEqual({
      code: 0,
      stderr: '',
      stdout: expect.stringMatching(/^stopped at \d+\n$/),
    });
    const stoppedAt = Number(/stopped at (\d+)/.exec(stdout)?.[1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(started);
    // It exited on its own (code 0; a process kept alive would be SIGKILLed at 60 s and
    // have no code). No wall-clock bound on how soon: the machine is shared.
    expect(exitedAt).toBeGreaterThanOrEqual(stoppedAt);
  }, 70_000);

  it('fails with KSE_PORT_IN_USE naming the setting when a port is taken', async () => {
    const taken = await occupy();
    try {
      await expect(startLocalStack({ ports: { dynamodb: taken.port } })).rejects.toMatchObject({
        code: 'KSE_PORT_IN_USE',
        setting: 'ports.dynamodb',
        message: expect.stringContaining(String(taken.port)),
      });
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it('releases the ports it did open when another port is taken', async () => {
    const taken = await occupy();
    const free = await occupy();
    const freePort = free.port;
    await new Promise((done) => free.close(done));
    try {
      await expect(
        startLocalStack({ ports: { kinesis: freePort, s3: taken.port } }),
      ).rejects.toMatchObject({ code: 'KSE_PORT_IN_USE', setting: 'ports.s3' });
      expect(await canBind(freePort)).toBe(true);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it('fails with KSE_CONFIG_INVALID naming host when it cannot listen there', async () => {
    await expect(startLocalStack({ host: '192.0.2.1' })).rejects.toMatchObject({
      code: 'KSE_CONFIG_INVALID',
      setting: 'host',
    });
  });

  it('keeps streams, tables and buckets across restarts with dataDir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kse-datadir-'));
    const name = uniqueName('kept');
    try {
      const first = await startLocalStack({ dataDir });
      const clients1 = createAwsClients(first.config);
      await ensureStream(clients1.kinesis, { streamName: name, shardCount: 1 });
      await ensureTable(clients1.dynamodb, {
        tableName: name,
        partitionKey: { name: 'id', type: 'S' },
      });
      await ensureBucket(clients1.s3, name);
      destroyAwsClients(clients1);
      await first.stop();

      const second = await startLocalStack({ dataDir });
      const clients2 = createAwsClients(second.config);
      try {
        const [streams, tables, buckets] = await Promise.all([
          clients2.kinesis.send(new ListStreamsCommand({})),
          clients2.dynamodb.send(new ListTablesCommand({})),
          clients2.s3.send(new ListBucketsCommand({})),
        ]);
        expect(streams.StreamNames).toEqual([name]);
        expect(tables.TableNames).toEqual([name]);
        expect((buckets.Buckets ?? []).map((b) => b.Name)).toEqual([name]);
      } finally {
        destroyAwsClients(clients2);
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('startLocalStack speedups', () => {
  it('installs the BigInt helpers with speedups: true and leaves kinesalite alone by default', async () => {
    uninstallKinesaliteSpeedups();
    try {
      const plain = await startLocalStack();
      await plain.stop();
      expect(kinesaliteSpeedupsInstalled()).toBe(false);
      const explicitlyOff = await startLocalStack({ speedups: false });
      await explicitlyOff.stop();
      expect(kinesaliteSpeedupsInstalled()).toBe(false);
      const fast = await startLocalStack({ speedups: true });
      await fast.stop();
      expect(kinesaliteSpeedupsInstalled()).toBe(true);
    } finally {
      installKinesaliteSpeedups();
    }
  });
});
