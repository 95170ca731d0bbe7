import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';

/** Polls `condition` until it holds or the deadline passes (no fixed sleeps). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Puts records in order (one PutRecords call per 500), returning their sequence numbers. */
export async function putRecords(
  kinesis: KinesisClient,
  streamName: string,
  records: { partitionKey: string; data: string }[],
): Promise<string[]> {
  const sequenceNumbers: string[] = [];
  for (let start = 0; start < records.length; start += 500) {
    const chunk = records.slice(start, start + 500);
    const response = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((r) => ({
          PartitionKey: r.partitionKey,
          Data: Buffer.from(r.data, 'utf8'),
        })),
      }),
    );
    if (response.FailedRecordCount) throw new Error('PutRecords failed');
    sequenceNumbers.push(...(response.Records ?? []).map((r) => r.SequenceNumber ?? ''));
  }
  return sequenceNumbers;
}

/** The decoded texts of an event's records. */
export function textsOf(event: KinesisStreamEvent): string[] {
  return event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString('utf8'));
}

/** Numeric comparison of Kinesis sequence numbers (decimal strings). */
export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A fixed-seed random source for backoff jitter (the fault proxy's mulberry32). */
export { seededRandom } from '@kse/local-stack/testing';
