import {
  KinesisClient,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { RetryCounters, countSdkRetries } from '@kse/core';
import { afterEach, describe, expect, it } from 'vitest';
import { putRecordsBatch, type PutRecordsEntry } from '../src/index.js';

// A real KinesisClient; its answers are injected by middleware inside the SDK's retry loop
// (so that the SDK's own retry strategy runs), and no request leaves the process.
type Answer = (input: PutRecordsCommandInput) => PutRecordsCommandOutput['Records'] | Error;

const clients: KinesisClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

function clientAnswering(answers: Answer[], calls: PutRecordsCommandInput[] = []): KinesisClient {
  const client = new KinesisClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 3,
  });
  clients.push(client);
  client.middlewareStack.add(
    () => async (args) => {
      const input = (args as { input: PutRecordsCommandInput }).input;
      calls.push(input);
      const answer = (answers[calls.length - 1] ?? answers.at(-1)!)(input);
      if (answer instanceof Error) throw answer;
      const output: PutRecordsCommandOutput = {
        Records: answer,
        FailedRecordCount: answer!.filter((r) => r.ErrorCode !== undefined).length,
        $metadata: { httpStatusCode: 200 },
      };
      return { output, response: {} } as never;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectPutRecordsAnswer' },
  );
  return client;
}

const accept: Answer = (input) =>
  input.Records!.map((_, i) => ({ SequenceNumber: `${i}`, ShardId: 's' }));
const failing =
  (indexes: number[], code = 'ProvisionedThroughputExceededException'): Answer =>
  (input) =>
    input.Records!.map((_, i) =>
      indexes.includes(i)
        ? { ErrorCode: code, ErrorMessage: `slow down ${i}` }
        : { SequenceNumber: `${i}`, ShardId: 's' },
    );
const throttle = (): Error =>
  new ProvisionedThroughputExceededException({
    message: 'rate exceeded',
    $metadata: { httpStatusCode: 400 },
  });

const entries = (count: number, bytes = 10): PutRecordsEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    partitionKey: `k${i}`,
    data: new Uint8Array(bytes).fill(i % 256),
  }));
const instant = { sleep: async () => {}, random: () => 0 };

describe('putRecordsBatch', () => {
  it('splits into calls of at most 500 entries, in order, and acknowledges every entry', async () => {
    const calls: PutRecordsCommandInput[] = [];
    const kinesis = clientAnswering([accept], calls);
    const input = entries(1_200);
    const accepted: number[] = [];
    const result = await putRecordsBatch(kinesis, input, {
      streamName: 'out',
      onAccepted: (_, index) => accepted.push(index),
    });
    expect(calls.map((c) => c.Records!.length)).toEqual([500, 500, 200]);
    expect(calls.flatMap((c) => c.Records!.map((r) => r.PartitionKey))).toEqual(
      input.map((e) => e.partitionKey),
    );
    expect({
      sent: result.sent,
      failed: result.failed,
      calls: result.calls,
      retries: result.retries,
    }).toEqual({
      sent: 1_200,
      failed: [],
      calls: 3,
      retries: 0,
    });
    expect(accepted).toEqual(input.map((_, i) => i));
  });

  it('splits by bytes: no call carries more than 5 MiB', async () => {
    const calls: PutRecordsCommandInput[] = [];
    const kinesis = clientAnswering([accept], calls);
    const result = await putRecordsBatch(kinesis, entries(3, 2 * 1024 * 1024), {
      streamName: 'out',
    });
    expect(calls.map((c) => c.Records!.length)).toEqual([2, 1]);
    expect(result.sent).toBe(3);
  });

  it('re-sends only the entries that failed, counts them by kind, and acknowledges each once', async () => {
    const calls: PutRecordsCommandInput[] = [];
    const kinesis = clientAnswering([failing([1, 3]), failing([], 'x'), accept], calls);
    const retryCounters = new RetryCounters();
    const accepted: number[] = [];
    const result = await putRecordsBatch(kinesis, entries(5), {
      streamName: 'out',
      retryCounters,
      onAccepted: (_, index) => accepted.push(index),
      ...instant,
    });
    expect(calls.map((c) => c.Records!.map((r) => r.PartitionKey))).toEqual([
      ['k0', 'k1', 'k2', 'k3', 'k4'],
      ['k1', 'k3'],
    ]);
    expect(accepted).toEqual([0, 2, 4, 1, 3]);
    expect({ sent: result.sent, failed: result.failed, retries: result.retries }).toEqual({
      sent: 5,
      failed: [],
      retries: 2,
    });
    expect(retryCounters.byKind).toEqual({ 'kinesis.ProvisionedThroughputExceededException': 2 });
  });

  it('stops at the attempt budget and returns the entries still failed, with their error code', async () => {
    const calls: PutRecordsCommandInput[] = [];
    const kinesis = clientAnswering([failing([0, 2]), failing([0, 1])], calls);
    const accepted: number[] = [];
    const result = await putRecordsBatch(kinesis, entries(3), {
      streamName: 'out',
      maxAttempts: 3,
      onAccepted: (_, index) => accepted.push(index),
      ...instant,
    });
    expect(calls.map((c) => c.Records!.length)).toEqual([3, 2, 2]);
    expect(accepted).toEqual([1]);
    expect(result.sent).toBe(1);
    expect(
      result.failed.map((f) => ({
        key: f.entry.partitionKey,
        index: f.index,
        code: f.errorCode,
        retryable: f.retryable,
        tries: f.attempts.length,
      })),
    ).toEqual([
      {
        key: 'k0',
        index: 0,
        code: 'ProvisionedThroughputExceededException',
        retryable: true,
        tries: 3,
      },
      {
        key: 'k2',
        index: 2,
        code: 'ProvisionedThroughputExceededException',
        retryable: true,
        tries: 3,
      },
    ]);
  });

  it('does not re-send an entry whose error code retrying cannot fix', async () => {
    const calls: PutRecordsCommandInput[] = [];
    const kinesis = clientAnswering([failing([1], 'AccessDeniedException'), accept], calls);
    const result = await putRecordsBatch(kinesis, entries(2), { streamName: 'out', ...instant });
    expect(calls).toHaveLength(1);
    expect(result.failed.map((f) => [f.entry.partitionKey, f.errorCode, f.retryable])).toEqual([
      ['k1', 'AccessDeniedException', false],
    ]);
  });

  it('leaves whole-call throttling to the SDK, whose retries are counted by kind', async () => {
    const calls: PutRecordsCommandInput[] = [];
    const kinesis = clientAnswering([() => throttle(), () => throttle(), accept], calls);
    const retries = new RetryCounters();
    countSdkRetries(kinesis, retries);
    const result = await putRecordsBatch(kinesis, entries(4), { streamName: 'out', ...instant });
    expect(calls).toHaveLength(3);
    expect({ sent: result.sent, calls: result.calls, retries: result.retries }).toEqual({
      sent: 4,
      calls: 1,
      retries: 0,
    });
    expect(retries.byKind).toEqual({ 'sdk.ProvisionedThroughputExceededException': 2 });
  });

  it('returns every entry not acknowledged when a call fails past the SDK, naming the error', async () => {
    const calls: PutRecordsCommandInput[] = [];
    const missing = new ResourceNotFoundException({
      message: 'no stream',
      $metadata: { httpStatusCode: 400 },
    });
    const kinesis = clientAnswering([accept, () => missing], calls);
    const result = await putRecordsBatch(kinesis, entries(1_200), {
      streamName: 'out',
      ...instant,
    });
    expect(calls.map((c) => c.Records!.length)).toEqual([500, 500]);
    expect(result.sent).toBe(500);
    expect(result.error).toBe(missing);
    expect(result.failed).toHaveLength(700);
    expect(result.failed[0]).toMatchObject({
      index: 500,
      errorCode: 'ResourceNotFoundException',
      retryable: false,
    });
    expect(result.failed.at(-1)).toMatchObject({
      index: 1_199,
      errorCode: 'ResourceNotFoundException',
    });
  });

  it('returns what is not acknowledged as Aborted when the signal stops the re-sends', async () => {
    const controller = new AbortController();
    const kinesis = clientAnswering([
      (input) => {
        controller.abort(new Error('stop'));
        return failing([0])(input);
      },
    ]);
    const result = await putRecordsBatch(kinesis, entries(2), {
      streamName: 'out',
      signal: controller.signal,
      ...instant,
    });
    expect(result.sent).toBe(1);
    expect(result.failed.map((f) => [f.entry.partitionKey, f.errorCode])).toEqual([
      ['k0', 'Aborted'],
    ]);
  });
});
