import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createKinesisClient,
  ensureStream,
  resolveAwsConfig,
  type FaultCounts,
} from '@kse/local-stack';
import type { LocalStackState } from '../../src/commands/local.js';
import { kse } from './runKse.js';

const dir = mkdtempSync(join(tmpdir(), 'kse-local-faults-'));
const stateFile = join(dir, 'stack.json');
const CALLS = 40;

afterAll(async () => {
  await kse('local', 'down', '--state', stateFile);
  rmSync(dir, { recursive: true, force: true });
});

// The fault proxies `kse local up --faults` puts in front of the emulators: a client of the
// user's own (the SDK, one attempt, so that no retry hides a fault) sees the injected
// throttles, and the counts the stack logs at `kse local down` are the ones it saw.
describe('kse local up --faults', () => {
  it('throttles PutRecords through the printed endpoint, and logs the counts at down', async () => {
    const upped = await kse(
      'local',
      'up',
      '--state',
      stateFile,
      '--faults',
      'throttle=0.5,seed=11',
    );
    expect(upped.code).toBe(0);
    expect(upped.stdout).toContain('faults: ');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalStackState;
    const env = {
      AWS_ENDPOINT_URL_KINESIS: state.endpoints.kinesis,
      AWS_ENDPOINT_URL_DYNAMODB: state.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: state.endpoints.s3,
      AWS_REGION: state.region,
      AWS_ACCESS_KEY_ID: state.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: state.credentials.secretAccessKey,
    };
    const config = resolveAwsConfig({ target: 'aws' }, env).config;
    // Control-plane calls pass the proxy untouched; data calls get the faults.
    const setup = createKinesisClient(config);
    const oneAttempt = createKinesisClient(config, { maxAttempts: 1 });
    const seen = { throttled: 0, ok: 0, other: [] as string[] };
    try {
      await ensureStream(setup, { streamName: 'FaultsStream', shardCount: 1 });
      for (let call = 0; call < CALLS; call += 1) {
        try {
          const answer = await oneAttempt.send(
            new PutRecordsCommand({
              StreamName: 'FaultsStream',
              Records: [{ PartitionKey: String(call), Data: Buffer.from(`{"n":${call}}`) }],
            }),
          );
          expect(answer.FailedRecordCount ?? 0).toBe(0);
          seen.ok += 1;
        } catch (error) {
          const name = (error as Error).name;
          if (name === 'ProvisionedThroughputExceededException') seen.throttled += 1;
          else seen.other.push(name);
        }
      }
    } finally {
      setup.destroy();
      oneAttempt.destroy();
    }
    expect(seen.other).toEqual([]);
    expect(seen.throttled).toBeGreaterThan(0);
    expect(seen.ok).toBeGreaterThan(0);

    const downed = await kse('local', 'down', '--state', stateFile);
    expect(downed.code).toBe(0);
    const lines = readFileSync(state.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('faults: '));
    expect(lines.length).toBeGreaterThan(0);
    const counts = JSON.parse(lines.at(-1)!.slice('faults: '.length)) as FaultCounts;
    expect(counts.injected.throttle).toBe(seen.throttled);
  }, 120_000);
});
