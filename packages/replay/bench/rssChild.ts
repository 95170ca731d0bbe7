/**
 * Child of replay.bench.ts: replays one file into a stream and reports its own peak RSS.
 * Imports only what a replay needs (not the emulators), so the figure is the replayer's.
 * With `--baseline` it only loads the same modules and reports, for comparison.
 */
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { replay } from '../src/index.js';

const [mode, file, streamName] = process.argv.slice(2);
const config = JSON.parse(process.env.KSE_BENCH_CONFIG!) as {
  region: string;
  endpoints: { kinesis: string };
  credentials: { accessKeyId: string; secretAccessKey: string };
};
const kinesis = new KinesisClient({
  region: config.region,
  endpoint: config.endpoints.kinesis,
  credentials: config.credentials,
  maxAttempts: 1,
  requestHandler: new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }),
  }),
});
let result: Record<string, number> = {};
if (mode !== '--baseline') {
  const summary = await replay({
    sources: [file!],
    kinesis,
    streamName: streamName!,
    speedup: 0,
    concurrency: 4,
    deadLetterPath: join(tmpdir(), `kse-bench-dl-${process.pid}.ndjson`),
  });
  result = {
    sent: summary.sent,
    read: summary.read,
    deadLettered: summary.deadLettered,
    durationMs: summary.durationMs,
  };
}
kinesis.destroy();
process.send!({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 });
process.exit(0);
