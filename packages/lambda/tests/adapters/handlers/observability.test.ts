import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLambdaContext } from '../../../src/index.js';
import {
  createObservability,
  tracingWanted,
  withObservability,
} from '../../../src/adapters/handlers/observability.js';

/** Every JSON line Powertools printed while `run` ran (logs and EMF documents). */
async function printed(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  let calls: unknown[][];
  try {
    await run();
  } finally {
    calls = [...write.mock.calls]; // mockRestore() forgets the calls
    write.mockRestore();
  }
  return calls
    .flatMap((call) => String(call[0]).split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const context = (functionName: string) =>
  createLambdaContext({
    functionName,
    region: 'us-east-1',
    accountId: '000000000000',
    timeoutSeconds: 60,
  });

describe('tracingWanted (where Powertools Tracer would trace)', () => {
  it.each([
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }, true],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' }, false],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'FALSE ' }, false],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'true' }, true],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_SAM_LOCAL: 'true' }, false],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' }, false],
    [{}, false],
    [{ POWERTOOLS_TRACE_ENABLED: 'true' }, false],
  ])('%j → %s', (env, wanted) => {
    expect(tracingWanted(env)).toBe(wanted);
  });

  it('loads no tracer outside Lambda (this test process)', async () => {
    expect(process.env.AWS_EXECUTION_ENV).toBeUndefined();
    await expect(createObservability('kse-test', {}).tracer()).resolves.toBeUndefined();
  });
});

describe('withObservability (Powertools without Middy)', () => {
  beforeEach(() => {
    // What Lambda sets: Powertools counts a cold start only for on-demand initialization.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function instrumented(fail = false) {
    const observability = createObservability('kse-test', {
      logger: new Logger({ serviceName: 'kse-test', logLevel: 'INFO' }),
      metrics: new Metrics({ namespace: 'kse', serviceName: 'kse-test' }),
    });
    const handler = withObservability(observability, async (event: { n: number }) => {
      observability.logger.appendKeys({ batch: event.n });
      observability.logger.info('inside');
      if (fail) throw new Error('boom');
      return { n: event.n };
    });
    return { handler, logger: observability.logger };
  }

  it('puts the invocation’s Lambda context on its log lines and drops keys appended during it', async () => {
    const { handler, logger } = instrumented();
    const first = context('kse-test');
    const second = context('kse-test');
    let results: unknown[] = [];
    const lines = await printed(async () => {
      results = [await handler({ n: 1 }, first), await handler({ n: 2 }, second)];
      logger.info('after');
    });
    expect(results).toEqual([{ n: 1 }, { n: 2 }]);
    const logs = lines.filter((line) => line.level === 'INFO');
    expect(logs.map((l) => [l.message, l.function_request_id, l.cold_start, l.batch])).toEqual([
      ['inside', first.awsRequestId, true, 1],
      ['inside', second.awsRequestId, false, 2],
      ['after', second.awsRequestId, false, undefined],
    ]);
    expect(logs[0]).toMatchObject({
      function_name: 'kse-test',
      function_arn: first.invokedFunctionArn,
      function_memory_size: '1024',
    });
  });

  it('emits one ColdStart metric (namespace kse, dimension service), on the first invocation only', async () => {
    const { handler } = instrumented();
    const lines = await printed(async () => {
      await handler({ n: 1 }, context('kse-test'));
      await handler({ n: 2 }, context('kse-test'));
    });
    const coldStarts = lines.filter((line) => 'ColdStart' in line);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]).toMatchObject({ ColdStart: 1, service: 'kse-test' });
    const directive = (
      coldStarts[0]!._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] }
    ).CloudWatchMetrics[0]!;
    expect(directive).toMatchObject({ Namespace: 'kse', Dimensions: [['service']] });
  });

  it('lets a failing invocation fail, and still drops the keys it appended', async () => {
    const { handler, logger } = instrumented(true);
    const lines = await printed(async () => {
      await expect(handler({ n: 7 }, context('kse-test'))).rejects.toThrow('boom');
      logger.info('after');
    });
    const after = lines.find((line) => line.message === 'after')!;
    expect(after.batch).toBeUndefined();
  });

  it('runs without a context (the local event source mapping may pass none)', async () => {
    const { handler } = instrumented();
    let result: unknown;
    await printed(async () => {
      result = await handler({ n: 3 });
    });
    expect(result).toEqual({ n: 3 });
  });
});
