import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_OPTIONS,
  fullJitterDelay,
  isRetryableEntryCode,
  isRetryableRequestError,
} from '../src/index.js';

const named = (name: string, extra: object = {}): Error =>
  Object.assign(new Error(name), { name }, extra);

describe('fullJitterDelay', () => {
  it('draws below base × 2^(retry-1)', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 10_000 };
    expect(fullJitterDelay(1, options, () => 0.999)).toBe(99);
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(200);
    expect(fullJitterDelay(3, options, () => 0)).toBe(0);
  });

  it('never exceeds maxDelayMs however many retries', () => {
    expect(fullJitterDelay(40, DEFAULT_RETRY_OPTIONS, () => 0.999_999)).toBeLessThan(
      DEFAULT_RETRY_OPTIONS.maxDelayMs,
    );
    expect(fullJitterDelay(40, DEFAULT_RETRY_OPTIONS, () => 0.5)).toBe(2_500);
  });
});

describe('isRetryableEntryCode', () => {
  it('retries throughput and internal failures, not KMS access errors', () => {
    expect(isRetryableEntryCode('ProvisionedThroughputExceededException')).toBe(true);
    expect(isRetryableEntryCode('InternalFailure')).toBe(true);
    expect(isRetryableEntryCode('KMSAccessDeniedException')).toBe(false);
  });
});

describe('isRetryableRequestError', () => {
  it('retries throttling, 5xx and network errors', () => {
    expect(isRetryableRequestError(named('ProvisionedThroughputExceededException'))).toBe(true);
    expect(isRetryableRequestError(named('LimitExceededException'))).toBe(true);
    expect(isRetryableRequestError(named('Whatever', { $metadata: { httpStatusCode: 503 } }))).toBe(
      true,
    );
    expect(isRetryableRequestError(named('Error', { code: 'ECONNRESET' }))).toBe(true);
  });

  it('does not retry a missing stream, bad input or denied access', () => {
    expect(
      isRetryableRequestError(
        named('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBe(false);
    expect(isRetryableRequestError(named('ValidationException'))).toBe(false);
    expect(isRetryableRequestError(named('AccessDeniedException'))).toBe(false);
    expect(isRetryableRequestError('string')).toBe(false);
  });
});
