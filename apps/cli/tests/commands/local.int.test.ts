import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAwsClients,
  destroyAwsClients,
  ensureBucket,
  ensureStream,
  ensureTable,
  resolveAwsConfig,
} from '@kse/local-stack';
import type { LocalStackState } from '../../src/commands/local.js';
import { ensureDebianTool } from '../setup/debianTool.js';
import { kse } from './runKse.js';

const run = promisify(execFile);
/** AWS CLI v2 from Debian's `awscli` package (an older v1 may come first on the PATH). */
const AWS_CLI = '/usr/bin/aws';

const dir = mkdtempSync(join(tmpdir(), 'kse-local-cli-'));
const stateFile = join(dir, 'stack.json');

// A fresh machine gets the AWS CLI here (as the report test gets Chromium); a machine
// that cannot install it fails this file loudly.
beforeAll(async () => {
  await ensureDebianTool(AWS_CLI, 'awscli');
}, 600_000);

afterAll(async () => {
  await kse('local', 'down', '--state', stateFile);
  rmSync(dir, { recursive: true, force: true });
});

function canBind(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function awsCli(env: NodeJS.ProcessEnv, endpoint: string, ...args: string[]) {
  const { stdout } = await run(AWS_CLI, ['--endpoint-url', endpoint, '--output', 'json', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_PAGER: '',
      AWS_REGION: env.AWS_REGION,
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('kse local', () => {
  it('up → the real AWS CLI lists the stream, table and bucket → down frees the ports', async () => {
    expect(existsSync(AWS_CLI), `${AWS_CLI} (apt package awscli) is required`).toBe(true);

    const upped = await kse('local', 'up', '--state', stateFile);
    expect(upped).toMatchObject({ code: 0, stderr: '' });
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalStackState;
    expect(isAlive(state.pid)).toBe(true);
    expect(Object.values(state.ports).every((port) => port > 0)).toBe(true);

    const envOut = await kse('local', 'env', '--state', stateFile);
    expect(envOut.code).toBe(0);
    const env = Object.fromEntries(
      envOut.stdout
        .trim()
        .split('\n')
        .map((line) => /^export ([A-Z0-9_]+)='(.*)'$/.exec(line)!)
        .map((match) => [match[1], match[2]]),
    );
    expect(env).toEqual({
      AWS_ENDPOINT_URL_KINESIS: state.endpoints.kinesis,
      AWS_ENDPOINT_URL_DYNAMODB: state.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: state.endpoints.s3,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });

    // Resources made through the SDK, configured only by the printed environment.
    const clients = createAwsClients(resolveAwsConfig({ target: 'aws' }, env).config);
    try {
      await ensureStream(clients.kinesis, { streamName: 'OrdersStream', shardCount: 2 });
      await ensureTable(clients.dynamodb, {
        tableName: 'OrdersEnriched',
        partitionKey: { name: 'orderId', type: 'N' },
        sortKey: { name: 'itemId', type: 'N' },
      });
      await ensureBucket(clients.s3, 'kse-reference');
    } finally {
      destroyAwsClients(clients);
    }

    const [streams, tables, buckets] = await Promise.all([
      awsCli(env, state.endpoints.kinesis, 'kinesis', 'list-streams'),
      awsCli(env, state.endpoints.dynamodb, 'dynamodb', 'list-tables'),
      awsCli(env, state.endpoints.s3, 's3api', 'list-buckets'),
    ]);
    expect(streams.StreamNames).toEqual(['OrdersStream']);
    expect(tables.TableNames).toEqual(['OrdersEnriched']);
    expect((buckets.Buckets as { Name: string }[]).map((b) => b.Name)).toEqual(['kse-reference']);

    const status = await kse('local', 'status', '--state', stateFile, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, pid: state.pid });

    const downed = await kse('local', 'down', '--state', stateFile);
    expect(downed.code).toBe(0);
    expect(isAlive(state.pid)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
    expect(await Promise.all(Object.values(state.ports).map(canBind))).toEqual([true, true, true]);
    expect((await kse('local', 'status', '--state', stateFile)).code).toBe(3);
  }, 120_000);

  it('up fails with exit 3 (infrastructure) naming --dynamodb-port when that port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await kse(
        'local',
        'up',
        '--state',
        join(dir, 'taken.json'),
        '--dynamodb-port',
        String(port),
      );
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('KSE_PORT_IN_USE');
      expect(result.stderr).toContain('--dynamodb-port');
      expect(result.stderr).toContain(String(port));
      expect(existsSync(join(dir, 'taken.json'))).toBe(false);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  }, 60_000);
});
