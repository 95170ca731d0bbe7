import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient, ensureStream } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { replay } from '@kse/replay';
import { afterAll, describe, expect, it } from 'vitest';
import { replayKinesisClient } from '../../src/pipeline/index.js';

// Regression of the flake of `kse run --faults throttle=0.05,5xx=0.02` (issue 19): with the
// SDK's default 3 attempts, a replay PutRecords call whose 3 attempts all met a fault
// (0.07³, about one call in 3,000) dead-lettered its 500 records, and the run ended NOT
// EXACT after waiting 90 s for rows that could not come. The replay's client now has the
// attempts of a producer with nothing behind it.

const dir = mkdtempSync(join(tmpdir(), 'kse-replay-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = 20;

/**
 * Fails the first `failures` attempts of every PutRecords call (each `amz-sdk-invocation-id`) with a 503 before it is
 * sent, inside the SDK's retry loop (`finalizeRequest`, below its retry middleware), so
 * the SDK's own strategy decides whether the call lives on; counts the attempts.
 */
function failFirstAttempts(
  client: KinesisClient,
  failures: number,
): { attempts: number; calls: number } {
  const seen = { attempts: 0, calls: 0 };
  const perCall = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      seen.attempts += 1;
      const headers = (args.request as { headers: Record<string, string> }).headers;
      const call = headers['amz-sdk-invocation-id'] ?? '';
      const attempt = (perCall.get(call) ?? 0) + 1;
      perCall.set(call, attempt);
      seen.calls = perCall.size;
      if (attempt <= failures) {
        throw Object.assign(new Error('Service unavailable (injected)'), {
          name: 'ServiceUnavailable',
          $fault: 'server',
          $metadata: { httpStatusCode: 503 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'failFirstAttempts' },
  );
  return seen;
}

async function replayThrough(kinesis: KinesisClient) {
  const streamName = uniqueName('replay-client');
  await ensureStream(kinesis, { streamName, shardCount: 1 });
  const file = join(dir, `${streamName}.ndjson`);
  const lines = Array.from({ length: LINES }, (_, i) =>
    JSON.stringify({ orderId: 10_000_001 + i, orderDateTime: '2026-01-01T00:00:00.000Z' }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return replay({
    sources: [file],
    kinesis,
    streamName,
    speedup: 0,
    deadLetterPath: join(dir, `${streamName}.dead.ndjson`),
  });
}

describe("kse's replay client", () => {
  it('rides out a PutRecords call whose first 7 attempts fail: every record sent, none dead-lettered', async () => {
    const kinesis = replayKinesisClient(testAwsConfig());
    try {
      const seen = failFirstAttempts(kinesis, 7);
      const summary = await replayThrough(kinesis);
      expect(seen.calls).toBeGreaterThan(0);
      expect(seen.attempts).toBe(8 * seen.calls);
      expect(summary).toMatchObject({
        sent: LINES,
        deadLettered: 0,
        failedRequests: 0,
        ok: true,
      });
    } finally {
      kinesis.destroy();
    }
  }, 120_000);

  it('is what the flake lacked: a client with the default 3 attempts dead-letters the call after 3 faults', async () => {
    const kinesis = createKinesisClient(testAwsConfig());
    try {
      const seen = failFirstAttempts(kinesis, 3);
      const summary = await replayThrough(kinesis);
      expect(seen.calls).toBeGreaterThan(0);
      expect(seen.attempts).toBe(3 * seen.calls);
      expect(summary).toMatchObject({ sent: 0, deadLettered: LINES, failedRequests: seen.calls });
    } finally {
      kinesis.destroy();
    }
  }, 120_000);
});
