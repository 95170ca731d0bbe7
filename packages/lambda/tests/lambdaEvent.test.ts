import { describe, expect, it } from 'vitest';
import { createLambdaContext, laneOf, toKinesisStreamEvent } from '../src/index.js';
import { fullJitterDelay } from '../src/backoff.js';
import { awsSampleEvent } from './fixtures/events.js';

describe('toKinesisStreamEvent', () => {
  it('builds records in the shape of the documented AWS sample event', () => {
    const sample = awsSampleEvent.Records[0]!;
    const event = toKinesisStreamEvent(
      [
        {
          sequenceNumber: sample.kinesis.sequenceNumber,
          partitionKey: sample.kinesis.partitionKey,
          data: sample.kinesis.data,
          arrivalMs: 1545084650987,
        },
      ],
      {
        streamArn: sample.eventSourceARN,
        shardId: 'shardId-000000000006',
        region: sample.awsRegion,
        invokeIdentityArn: sample.invokeIdentityArn,
      },
    );
    expect(event.Records[0]).toEqual(sample);
  });
});

describe('createLambdaContext', () => {
  it('counts the remaining time down from the timeout with the injected clock', () => {
    let now = 1_000;
    const context = createLambdaContext({
      functionName: 'sink',
      region: 'us-east-1',
      accountId: '123456789012',
      timeoutSeconds: 3,
      now: () => now,
    });
    now += 1_250;
    expect(context.getRemainingTimeInMillis()).toBe(1_750);
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:sink');
  });
});

describe('laneOf', () => {
  it('sends one partition key to one lane, and spreads keys over every lane', () => {
    const lanes = Array.from({ length: 1000 }, (_, i) => laneOf(`order-${i}`, 4));
    expect(new Set(lanes)).toEqual(new Set([0, 1, 2, 3]));
    expect(laneOf('order-7', 4)).toBe(laneOf('order-7', 4));
    expect(laneOf('anything', 1)).toBe(0);
  });
});

describe('fullJitterDelay', () => {
  it('stays below the capped exponential ceiling', () => {
    const options = { baseMs: 100, capMs: 1_000 };
    expect(fullJitterDelay(1, options, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(200);
    expect(fullJitterDelay(10, options, () => 0.999)).toBe(999);
    expect(fullJitterDelay(10, options, () => 0)).toBe(0);
  });
});
