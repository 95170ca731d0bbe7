import { createHash } from 'node:crypto';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { createAwsClients, createDynamoDbClient, ensureStream } from '@kse/local-stack';
import { testAwsConfig, uniqueName } from '@kse/local-stack/testing';
import { DEAD_LETTER_KINESIS_MAX_BYTES, LIMITS } from '@kse/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPreprocessHandler,
  startEventSourceMapping,
  type EventSourceMapping,
  type KinesisLambdaHandler,
} from '../../../src/index.js';
import { putRecords, seededRandom, waitFor } from '../../helpers.js';

const clients = createAwsClients(testAwsConfig());
const { kinesis } = clients;
const dynamodb = createDynamoDbClient(testAwsConfig(), { maxAttempts: 3 });
const running: EventSourceMapping[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

async function map(streamName: string, handler: KinesisLambdaHandler) {
  const mapping = await startEventSourceMapping({
    kinesis,
    dynamodb,
    streamName,
    handler,
    mappingName: uniqueName('dl'),
    checkpointTable: 'kse-lambda-test-checkpoints',
    batchSize: 10,
    pollIntervalMs: 50,
    functionResponseTypes: ['ReportBatchItemFailures'],
    retryBackoff: { baseMs: 5, capMs: 20 },
    random: seededRandom(19),
  });
  running.push(mapping);
  return mapping;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('dead letters of records as large as Kinesis takes', () => {
  it('a 1 MiB bad record, and one whose letter lands just over the limit, are dead-lettered capped; the batch is not poisoned', async () => {
    const source = uniqueName('src-big');
    const output = uniqueName('typed-big');
    const dlq = uniqueName('dlq-big');
    for (const streamName of [source, output, dlq])
      await ensureStream(kinesis, { streamName, shardCount: 1 });

    // Bad JSON of exactly one Kinesis record (data and key: 1 MiB)…
    const key = 'big';
    const oneMiB = `{"orderId":"${'x'.repeat(LIMITS.kinesisMaxRecordBytes - key.length - 12)}`;
    expect(Buffer.byteLength(oneMiB) + key.length).toBe(LIMITS.kinesisMaxRecordBytes);
    // …and one a little smaller, that fits but whose letter (code, reason, origin, time) does not.
    const nearLimit = `{"orderId":"${'y'.repeat(LIMITS.kinesisMaxRecordBytes - 150)}`;
    const good = JSON.stringify({
      recordType: 'Order',
      orderId: 10000001,
      orderAmount: 10,
      orderStatus: 'New',
      orderDateTime: '2026-01-01T00:00:00.000Z',
      shipToName: 'Zoë',
      shipToAddress: 'a',
      shipToCity: 'c',
      shipToState: 's',
      shipToZip: 'z',
    });
    const sequenceNumbers = await putRecords(kinesis, source, [
      { partitionKey: key, data: oneMiB },
      { partitionKey: 'near', data: nearLimit },
      { partitionKey: '10000001', data: good },
    ]);

    const typed: string[] = [];
    const dead: { partitionKey: string; bytes: number; letter: Record<string, unknown> }[] = [];
    const preprocess = await map(
      source,
      createPreprocessHandler({ env: {}, kinesis, outputStream: output, deadLetterStream: dlq }),
    );
    await map(output, async (event) => {
      typed.push(...event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()));
    });
    await map(dlq, async (event) => {
      for (const r of event.Records) {
        const bytes = Buffer.from(r.kinesis.data, 'base64');
        dead.push({
          partitionKey: r.kinesis.partitionKey,
          bytes: bytes.byteLength,
          letter: JSON.parse(bytes.toString('utf8')) as Record<string, unknown>,
        });
      }
    });
    await waitFor(() => typed.length === 1 && dead.length === 2, 'the typed record and 2 letters');

    expect(JSON.parse(typed[0]!)).toMatchObject({ orderId: 10000001, recordType: 'Order' });
    const counters = preprocess.stats().counters;
    expect(counters.functionErrors).toBe(0);
    expect(counters.recordsSucceeded).toBe(3);
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: source }));
    const sourceArn = summary.StreamDescriptionSummary!.StreamARN;
    for (const [index, record] of [oneMiB, nearLimit].entries()) {
      const letter = dead.find((d) => d.partitionKey === sequenceNumbers[index])!;
      expect(letter.bytes + letter.partitionKey.length).toBeLessThanOrEqual(
        DEAD_LETTER_KINESIS_MAX_BYTES,
      );
      expect(letter.letter).toMatchObject({
        code: 'KSE_JSON_INVALID',
        source: 'shardId-000000000000',
        stream: sourceArn,
        position: sequenceNumbers[index],
        dataEncoding: 'utf8',
        truncated: true,
        originalLength: Buffer.byteLength(record),
        sha256: sha256(record),
      });
      expect(typeof letter.letter.reason).toBe('string');
      const kept = letter.letter.data as string;
      expect(kept.length).toBeGreaterThan(LIMITS.kinesisMaxRecordBytes - 4096);
      expect(record.startsWith(kept)).toBe(true);
    }
  });
});
