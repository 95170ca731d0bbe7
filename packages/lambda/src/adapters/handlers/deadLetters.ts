import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DeadLetter } from '@kse/enrich';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DEAD_LETTER_KINESIS_MAX_BYTES, LIMITS, encodeDeadLetter } from '@kse/schemas';
import { putRecordsAll, type PutRecordsAllOptions } from './putRecordsAll.js';

/** Where a handler's dead letters go: a Kinesis stream, or the log when none is configured. */
export interface DeadLetterTarget {
  kinesis: KinesisClient;
  streamName: string | undefined;
  logger: Logger;
}

/**
 * Largest dead letter logged when no dead-letter stream is configured: a CloudWatch Logs
 * event holds 256 KiB, and the logger adds its own fields around the letter.
 */
export const DEAD_LETTER_LOG_MAX_BYTES = 192 * 1024;

/** The dead letters with their source stream (an ARN) added where they have none. */
export function withStream(
  deadLetters: readonly DeadLetter[],
  stream: string | undefined,
): DeadLetter[] {
  if (stream === undefined || stream === '') return [...deadLetters];
  return deadLetters.map((letter) =>
    letter.stream === undefined ? { ...letter, stream } : letter,
  );
}

/**
 * A dead letter as one Kinesis record that the stream always accepts: partition key the
 * record's sequence number (or the code), at most 256 characters; data the letter's JSON
 * with `deadLetteredAt`, capped by `encodeDeadLetter` of `@kse/schemas` so that data and
 * key stay within one Kinesis record ({@link DEAD_LETTER_KINESIS_MAX_BYTES}).
 */
export function deadLetterEntry(
  deadLetter: DeadLetter,
  deadLetteredAt: string,
): { partitionKey: string; data: Uint8Array } {
  const partitionKey = String(deadLetter.position ?? deadLetter.code).slice(
    0,
    LIMITS.kinesisMaxPartitionKeyLength,
  );
  const data = encodeDeadLetter(
    { ...deadLetter, deadLetteredAt },
    DEAD_LETTER_KINESIS_MAX_BYTES - Buffer.byteLength(partitionKey, 'utf8'),
  );
  return { partitionKey, data };
}

/**
 * Sends bad-input dead letters to a stream, or (no stream configured) logs them, each
 * capped to one Kinesis record so that a 1 MiB record cannot poison its batch.
 */
export async function sendDeadLetters(
  deadLetters: readonly DeadLetter[],
  target: DeadLetterTarget,
  options: PutRecordsAllOptions = {},
): Promise<number> {
  if (deadLetters.length === 0) return 0;
  const deadLetteredAt = new Date().toISOString();
  if (target.streamName === undefined) {
    // Nothing is dropped silently: without a dead-letter stream the log holds the record,
    // capped to what one log event holds.
    for (const deadLetter of deadLetters) {
      const bytes = encodeDeadLetter({ ...deadLetter, deadLetteredAt }, DEAD_LETTER_LOG_MAX_BYTES);
      target.logger.error('dead letter', {
        deadLetter: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown,
      });
    }
    return 0;
  }
  const entries = deadLetters.map((deadLetter) => deadLetterEntry(deadLetter, deadLetteredAt));
  const { retries } = await putRecordsAll(target.kinesis, target.streamName, entries, options);
  return retries;
}
