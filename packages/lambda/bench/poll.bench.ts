/**
 * The wall-clock spacing of GetRecords calls on a caught-up shard: with `pollIntervalMs`
 * 100 and calls slowed by 60 ms, calls should start ~100 ms apart (the call's own time
 * counts), not 160 ms. The integration test checks the arithmetic on a virtual clock; this
 * prints what a real clock shows on this machine (load moves it; no bound is asserted).
 *
 *   npm run bench:poll -w @kse/lambda        (KSE_BENCH_POLLS=… to change the count)
 */
import {
  createDynamoDbClient,
  createKinesisClient,
  ensureStream,
  startLocalStack,
} from '@kse/local-stack';
import { startEventSourceMapping } from '../src/index.js';

const POLLS = Number(process.env.KSE_BENCH_POLLS ?? 41);

const stack = await startLocalStack({ speedups: true });
try {
  const kinesis = createKinesisClient(stack.config);
  const dynamodb = createDynamoDbClient(stack.config, { maxAttempts: 3 });
  const streamName = `bench-poll-${process.pid}`;
  await ensureStream(kinesis, { streamName, shardCount: 1 });
  const starts: number[] = [];
  kinesis.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'GetRecordsCommand') return next(args);
      starts.push(performance.now());
      await new Promise((resolve) => setTimeout(resolve, 60));
      return next(args);
    },
    { step: 'initialize', name: 'slowGetRecords' },
  );
  const mapping = await startEventSourceMapping({
    kinesis,
    dynamodb,
    streamName,
    checkpointTable: 'kse-bench-checkpoints',
    mappingName: 'bench-poll',
    pollIntervalMs: 100,
    handler: async () => {},
  });
  while (starts.length < POLLS) await new Promise((resolve) => setTimeout(resolve, 50));
  await mapping.stop();
  const gaps = starts.slice(1, POLLS).map((at, i) => at - starts[i]!);
  const sorted = [...gaps].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  console.log(
    `GetRecords call spacing over ${gaps.length} gaps (pollIntervalMs 100, calls +60 ms): ` +
      `p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
  );
  kinesis.destroy();
  dynamodb.destroy();
} finally {
  await stack.stop();
}
