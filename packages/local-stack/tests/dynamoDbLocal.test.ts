import { describe, expect, it } from 'vitest';
import { isDynamoDbLocalStarting } from '../src/emulators/dynamoDbLocal.js';
import { findDynamoDbLocalJar, startDynamoDbLocal } from '../src/index.js';

describe('isDynamoDbLocalStarting', () => {
  it('treats a refused or reset connection as not started yet', () => {
    expect(
      isDynamoDbLocalStarting(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(
      isDynamoDbLocalStarting(
        new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      ),
    ).toBe(true);
  });

  it('treats a request timeout and a 5xx answer as not started yet', () => {
    expect(
      isDynamoDbLocalStarting(Object.assign(new Error('slow'), { name: 'TimeoutError' })),
    ).toBe(true);
    expect(
      isDynamoDbLocalStarting(
        Object.assign(new Error('busy'), { $metadata: { httpStatusCode: 503 } }),
      ),
    ).toBe(true);
  });

  it('treats a client-side error such as the frozen-credentials TypeError as fatal', () => {
    expect(
      isDynamoDbLocalStarting(
        new TypeError("Cannot set properties of undefined (setting 'CREDENTIALS_CODE')"),
      ),
    ).toBe(false);
    expect(
      isDynamoDbLocalStarting(
        Object.assign(new Error('bad signature'), {
          name: 'UnrecognizedClientException',
          $metadata: { httpStatusCode: 400 },
        }),
      ),
    ).toBe(false);
  });
});

describe('startDynamoDbLocal', () => {
  it('finds the jar of amplify-dynamodb-simulator', () => {
    expect(findDynamoDbLocalJar()).toMatch(
      /amplify-dynamodb-simulator\/emulator\/DynamoDBLocal\.jar$/,
    );
  });

  it('fails with KSE_CONFIG_INVALID naming jarPath when the jar is missing', async () => {
    await expect(
      startDynamoDbLocal({ jarPath: '/nonexistent/DynamoDBLocal.jar' }),
    ).rejects.toMatchObject({
      code: 'KSE_CONFIG_INVALID',
      setting: 'jarPath',
    });
  });

  it('fails with KSE_STACK_START_FAILED and the reason when java cannot be started', async () => {
    await expect(startDynamoDbLocal({ java: '/nonexistent/java' })).rejects.toMatchObject({
      code: 'KSE_STACK_START_FAILED',
      message: expect.stringContaining('ENOENT'),
    });
  });

  it('fails with KSE_STACK_START_FAILED and the JVM output when the JVM exits', async () => {
    const started = startDynamoDbLocal({ heap: 'lots' });
    // Never leave a JVM behind, even if this test is wrong.
    void started.then(
      (ddb) => ddb.stop(),
      () => undefined,
    );
    await expect(started).rejects.toMatchObject({
      code: 'KSE_STACK_START_FAILED',
      message: expect.stringContaining('-Xmxlots'),
    });
  }, 30_000);
});
