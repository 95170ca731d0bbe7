import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testAwsConfig } from '@kse/local-stack/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/program.js';

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
