import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTablesCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createAwsClients, destroyAwsClients, ensureTable } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/program.js';
import { kse } from '../commands/runKse.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'main.js');

describe('kse run --orders 2000', () => {
  const saved = { ...process.env };

  beforeEach(() => {
    // Point kse run at the test run's local stack through the standard AWS variables
    // (--target aws reads them; the local target ignores them). It is not a stack kse
    // started, so the run confirms (--yes), creates what is missing and removes it after.
    const { endpoints, region } = testAwsConfig();
    process.env.AWS_ENDPOINT_URL_KINESIS = endpoints.kinesis;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
    process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
    process.env.AWS_REGION = region;
  });

  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
  });

  it('lands every expected row exactly with the seed topology, and writes the report', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const reportDir = await mkdtemp(join(tmpdir(), 'kse-run-report-'));
    try {
      const code = await runCli([
        'run',
        '--target',
        'aws',
        '--yes',
        '--orders',
        '2000',
        '--topology',
        'seed',
        '--report',
        reportDir,
      ]);
      const stdout = out.mock.calls.join('');
      expect(stdout).toMatch(
        /expected\s+4000\n\s+landed\s+4000\n\s+missing\s+0\n\s+unexpected\s+0\n\s+mismatched\s+0\n\s+dead-lettered\s+0/,
      );
      expect(stdout).toMatch(/^EXACT/m);
      expect(code).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8'));
    expect(report.verdict).toMatchObject({ exact: true, expected: 4000, landed: 4000 });
    expect(report.counts).toMatchObject({
      generated: 6000,
      replayed: 6000,
      joined: 4000,
      written: 4000,
      deadLettered: 0,
    });
    expect(report.latencyMs.count).toBeGreaterThanOrEqual(4000);
    expect(report.latencyMs.p50).toBeGreaterThanOrEqual(0);
    expect(existsSync(join(reportDir, 'report.html'))).toBe(true);
  }, 180_000);

  it('lands every expected row exactly with the join state in DynamoDB (--join-state dynamodb)', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runCli([
        'run',
        '--target',
        'aws',
        '--yes',
        '--orders',
        '2000',
        '--topology',
        'fused',
        '--join-state',
        'dynamodb',
      ]);
      const stdout = out.mock.calls.join('');
      expect(stdout).toMatch(
        /expected\s+4000\n\s+landed\s+4000\n\s+missing\s+0\n\s+unexpected\s+0\n\s+mismatched\s+0\n\s+dead-lettered\s+0/,
      );
      expect(stdout).toMatch(/^EXACT/m);
      expect(code).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }, 180_000);

  it.each(['seed', 'fused'] as const)(
    'lands every expected row exactly with --join-time event (%s), and reports the join time and no dead letters',
    async (topology) => {
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const reportDir = await mkdtemp(join(tmpdir(), 'kse-run-event-'));
      try {
        const code = await runCli([
          'run',
          '--target',
          'aws',
          '--yes',
          '--orders',
          '300',
          '--topology',
          topology,
          '--join-time',
          'event',
          '--join-lateness',
          '5',
          '--report',
          reportDir,
        ]);
        const stdout = out.mock.calls.join('');
        expect(stdout).toMatch(
          /expected\s+600\n\s+landed\s+600\n\s+missing\s+0\n\s+unexpected\s+0\n\s+mismatched\s+0\n\s+dead-lettered\s+0/,
        );
        expect(stdout).toMatch(/^EXACT/m);
        expect(code).toBe(0);
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
      const report = JSON.parse(await readFile(join(reportDir, 'report.json'), 'utf8'));
      expect(report.options).toMatchObject({ joinTime: 'event', joinLatenessSeconds: 5 });
      expect(report.deadLettersByCode).toEqual({});
    },
    180_000,
  );

  it('lands every expected row exactly with the fused topology (built CLI, embedded stack)', async () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
    const { stdout } = await run(
      process.execPath,
      [MAIN, 'run', '--orders', '2000', '--topology', 'fused'],
      {
        env,
        timeout: 170_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    expect(stdout).toMatch(
      /expected\s+4000\n\s+landed\s+4000\n\s+missing\s+0\n\s+unexpected\s+0\n\s+mismatched\s+0\n\s+dead-lettered\s+0/,
    );
    expect(stdout).toMatch(/^EXACT/m);
  }, 180_000);

  it('lands every expected row exactly with the emulators inline (--local-stack inline, embedded stack)', async () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
    const { stdout } = await run(
      process.execPath,
      [MAIN, 'run', '--orders', '500', '--topology', 'fused', '--local-stack', 'inline'],
      { env, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toMatch(/expected\s+1000\n\s+landed\s+1000\n\s+missing\s+0/);
    expect(stdout).toMatch(/^EXACT/m);
  }, 180_000);
});

describe('kse run on a stack kse did not start (--target aws)', () => {
  const saved = { ...process.env };
  const clients = createAwsClients(testAwsConfig());

  beforeEach(() => {
    const { endpoints, region } = testAwsConfig();
    process.env.AWS_ENDPOINT_URL_KINESIS = endpoints.kinesis;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
    process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
    process.env.AWS_REGION = region;
  });

  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
  });

  // A table of someone else's, with one row in it.
  async function theirTable(): Promise<string> {
    const table = uniqueName('their-table');
    await ensureTable(clients.dynamodb, {
      tableName: table,
      partitionKey: { name: 'orderId', type: 'N' },
      sortKey: { name: 'itemId', type: 'N' },
    });
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { orderId: { N: '1' }, itemId: { N: '2' } } }),
    );
    return table;
  }

  async function rows(table: string): Promise<number> {
    const { Count = 0 } = await clients.dynamodb.send(
      new ScanCommand({ TableName: table, Select: 'COUNT' }),
    );
    return Count;
  }

  async function streams(): Promise<string[]> {
    return (await clients.kinesis.send(new ListStreamsCommand({}))).StreamNames ?? [];
  }

  async function bucketExists(bucket: string): Promise<boolean> {
    try {
      await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch {
      return false;
    }
  }

  it('refuses a table that holds rows without --reset (exit 2), before changing anything', async () => {
    const table = await theirTable();
    const bucket = uniqueName('kse-run-refused');
    const before = await streams();
    const result = await kse(
      ...['run', '--target', 'aws', '--yes', '--orders', '50'],
      ...['--table', table, '--bucket', bucket],
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^kse run: KSE_TABLE_NOT_EMPTY: table ${table} holds rows`, 'm'),
    );
    expect(result.stderr).toMatch(/^hint: pass --reset/m);
    expect(await rows(table)).toBe(1);
    expect(await streams()).toEqual(before);
    expect(await bucketExists(bucket)).toBe(false);
  }, 120_000);

  it('with --reset empties the table, lands exact, and removes only what it created', async () => {
    const table = await theirTable();
    const bucket = uniqueName('kse-run-reset');
    const before = await streams();
    const result = await kse(
      ...['run', '--target', 'aws', '--yes', '--reset', '--orders', '50'],
      ...['--table', table, '--bucket', bucket, '--topology', 'fused'],
    );
    expect(result.stderr).toMatch(/account unknown/);
    expect(result.stderr).toMatch(new RegExp(`empty +table ${table} \\(holds rows\\)`));
    expect(result.stderr).toMatch(/create +stream OrdersStream \(2 shards\)/);
    expect(result.stdout).toMatch(/^EXACT/m);
    expect(result.code).toBe(0);
    // Their table stays (with the run's rows, its own gone); what the run made is gone.
    expect(await rows(table)).toBe(100);
    const { TableNames = [] } = await clients.dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toContain(table);
    expect(TableNames).not.toContain(`${table}-checkpoints`);
    expect(await streams()).toEqual(before);
    expect(await bucketExists(bucket)).toBe(false);
  }, 180_000);

  afterAll(() => destroyAwsClients(clients));
});

describe("kse run --aggregate (the sample replayer's -aggregate)", () => {
  const saved = { ...process.env };

  beforeEach(() => {
    // The test run's local stack, through the standard AWS variables (--target aws reads
    // them), so that the input's keys are in the plan kse prints before it writes them.
    const { endpoints, region } = testAwsConfig();
    process.env.AWS_ENDPOINT_URL_KINESIS = endpoints.kinesis;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
    process.env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
    process.env.AWS_REGION = region;
  });

  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
  });

  it("lands an exact table from KPL-aggregated records, its input in the sample's bucket layout", async () => {
    const bucket = uniqueName('kse-run-aggregate');
    const table = uniqueName('aggregated');
    const result = await kse(
      ...['run', '--target', 'aws', '--yes', '--orders', '1000', '--aggregate'],
      ...['--bucket', bucket, '--table', table],
    );
    expect(result.stdout).toMatch(
      /expected\s+2000\n\s+landed\s+2000\n\s+missing\s+0\n\s+unexpected\s+0\n\s+mismatched\s+0\n\s+dead-lettered\s+0/,
    );
    expect(result.stdout).toMatch(/^EXACT/m);
    expect(result.code).toBe(0);
    // 3,000 records (an order and its two items each) went in far fewer Kinesis records.
    const packed = /replay: 3000 records sent in (\d+) KPL-aggregated records/.exec(result.stderr);
    expect(packed, result.stderr).not.toBeNull();
    expect(Number(packed![1])).toBeLessThan(1500);
    // The input went to the sample's layout: orders/ and products/ (the plan names each key).
    expect(result.stderr).toContain(`s3://${bucket}/orders/orders.json`);
    expect(result.stderr).toContain(`s3://${bucket}/products/products.json`);
  }, 180_000);
});
