import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envLines, type LocalStackState } from '../../src/commands/local.js';
import { EXIT_USAGE } from '../../src/program.js';
import { kse } from './runKse.js';

const dir = mkdtempSync(join(tmpdir(), 'kse-local-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const state: LocalStackState = {
  pid: 1,
  region: 'eu-west-1',
  endpoints: {
    kinesis: 'http://127.0.0.1:1',
    dynamodb: 'http://127.0.0.1:2',
    s3: 'http://127.0.0.1:3',
  },
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: "it's" },
  ports: { kinesis: 1, dynamodb: 2, s3: 3 },
  startedAt: '2026-01-01T00:00:00.000Z',
  logFile: '/tmp/x.log',
};

describe('kse local', () => {
  it('env lines export every endpoint, the region and quoted credentials', () => {
    expect(envLines(state)).toEqual([
      "export AWS_ENDPOINT_URL_KINESIS='http://127.0.0.1:1'",
      "export AWS_ENDPOINT_URL_DYNAMODB='http://127.0.0.1:2'",
      "export AWS_ENDPOINT_URL_S3='http://127.0.0.1:3'",
      "export AWS_REGION='eu-west-1'",
      "export AWS_ACCESS_KEY_ID='S3RVER'",
      "export AWS_SECRET_ACCESS_KEY='it'\\''s'",
    ]);
  });

  it('env exits 3 (infrastructure) and says so when no stack is running', async () => {
    const result = await kse('local', 'env', '--state', join(dir, 'none.json'));
    expect(result).toMatchObject({ code: 3, stdout: '' });
    expect(result.stderr).toMatch(/^kse local env: KSE_STACK_NOT_RUNNING: .*not running/);
    expect(result.stderr).toMatch(/^hint: start it with `kse local up`$/m);
  });

  it('status exits 3 for a stale state file whose process is gone', async () => {
    const file = join(dir, 'stale.json');
    writeFileSync(file, JSON.stringify({ ...state, pid: 2 ** 22 + 12345 }));
    const result = await kse('local', 'status', '--state', file, '--json');
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({ running: false });
  });

  it('down with no state file is a no-op that exits 0', async () => {
    const result = await kse('local', 'down', '--state', join(dir, 'none.json'));
    expect(result).toMatchObject({
      code: 0,
      stdout: 'local stack is not running (no state file)\n',
    });
  });

  it('up exits 2 on a port that is not a number', async () => {
    const result = await kse('local', 'up', '--kinesis-port', 'abc');
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(/--kinesis-port/);
  });
});
