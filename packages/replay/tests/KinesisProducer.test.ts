import { KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, describe, expect, it } from 'vitest';
import { KinesisProducer, isReplayError, type ProducerOptions } from '../src/index.js';

// Construction only: no request leaves the client.
const kinesis = new KinesisClient({ region: 'us-east-1' });
afterAll(() => kinesis.destroy());

describe('KinesisProducer options', () => {
  it.each<[string, ProducerOptions['retry']]>([
    ['retry.maxAttempts', { maxAttempts: 0 }],
    ['retry.baseDelayMs', { baseDelayMs: -1 }],
    ['retry.maxDelayMs', { maxDelayMs: Number.POSITIVE_INFINITY }],
    ['retry.maxDelayMs', { maxDelayMs: Number.NaN }],
  ])('refuses an invalid %s at construction, naming it', (option, retry) => {
    const error = (() => {
      try {
        return new KinesisProducer({ kinesis, streamName: 's', retry, onDeadLetter: () => {} });
      } catch (e) {
        return e;
      }
    })();
    expect(isReplayError(error) && { code: error.code, option: error.option }).toEqual({
      code: 'KSE_REPLAY_OPTIONS_INVALID',
      option,
    });
  });
});
