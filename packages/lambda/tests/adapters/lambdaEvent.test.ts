import { describe, expect, it } from 'vitest';
import { createLambdaContext, toKinesisStreamEvent } from '../../src/index.js';
import { awsSampleEvent } from '../fixtures/events.js';

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
