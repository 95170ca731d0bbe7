import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { LambdaError } from '../../errors.js';

// GetRecords may come back empty while records lie further on (Kinesis reads a shard in
// segments); a few calls settle it, and a shard that keeps answering empty without saying
// it is at the tip counts as behind (the sweep waits for the next run).
const MAX_PROBES = 5;

/**
 * True when a shard holds no record after `checkpoint` (a sequence number; without one,
 * no record at all): its consumer has processed everything that arrived so far. A closed
 * shard read to its end is caught up too.
 */
export async function isCaughtUp(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
  checkpoint: string | undefined,
): Promise<boolean> {
  const fail = (operation: string) => (error: unknown) => {
    throw new LambdaError(
      'KSE_LAMBDA_AWS_FAILED',
      `${operation} on ${streamName}/${shardId}: ${(error as Error).message}`,
      { cause: error, shardId },
    );
  };
  const start = await kinesis
    .send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ...(checkpoint === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: checkpoint }),
      }),
    )
    .catch(fail('GetShardIterator'));
  let iterator = start.ShardIterator;
  for (let probe = 0; probe < MAX_PROBES && iterator !== undefined; probe += 1) {
    const response = await kinesis
      .send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }))
      .catch(fail('GetRecords'));
    if ((response.Records ?? []).length > 0) return false;
    if (response.NextShardIterator === undefined || response.NextShardIterator === null) {
      return true;
    }
    if (response.MillisBehindLatest === 0) return true;
    iterator = response.NextShardIterator;
  }
  return iterator === undefined;
}
