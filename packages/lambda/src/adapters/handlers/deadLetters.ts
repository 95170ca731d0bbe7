import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DeadLetter } from '@kse/enrich';
import type { Logger } from '@aws-lambda-powertools/logger';
import { putRecordsAll, type PutRecordsAllOptions } from './putRecordsAll.js';

/** Where a handler's dead letters go: a Kinesis stream, or the log when none is configured. */
export interface DeadLetterTarget {
  kinesis: KinesisClient;
  streamName: string | undefined;
  logger: Logger;
}

/** Sends bad-input dead letters to a stream, or (no stream configured) logs them whole. */
export async function sendDeadLetters(
  deadLetters: readonly DeadLetter[],
  target: DeadLetterTarget,
  options: PutRecordsAllOptions = {},
): Promise<number> {
  if (deadLetters.length === 0) return 0;
  if (target.streamName === undefined) {
    // Nothing is dropped silently: without a dead-letter stream the log holds the record.
    for (const deadLetter of deadLetters) target.logger.error('dead letter', { deadLetter });
    return 0;
  }
  const entries = deadLetters.map((deadLetter) => ({
    partitionKey: String(deadLetter.position ?? deadLetter.code),
    data: Buffer.from(JSON.stringify({ ...deadLetter, deadLetteredAt: new Date().toISOString() })),
  }));
  const { retries } = await putRecordsAll(target.kinesis, target.streamName, entries, options);
  return retries;
}
