import { describe, expect, it } from 'vitest';
import {
  createEnrichHandler,
  createPreprocessHandler,
  createSinkHandler,
  createSweeperHandler,
  type LambdaError,
} from '../../../src/index.js';

function configError(run: () => unknown): LambdaError {
  try {
    run();
  } catch (error) {
    expect((error as LambdaError).code).toBe('KSE_LAMBDA_CONFIG_INVALID');
    return error as LambdaError;
  }
  throw new Error('expected a configuration error');
}

describe('handler configuration', () => {
  it('fails the sink cold start naming a missing TABLE_NAME', () => {
    const error = configError(() => createSinkHandler({ env: {} }));
    expect(error.variable).toBe('TABLE_NAME');
    expect(error.message).toContain('environment variable TABLE_NAME is required');
  });

  it('fails the sink cold start naming a WRITE_CONCURRENCY that is not a number', () => {
    const error = configError(() =>
      createSinkHandler({ env: { TABLE_NAME: 'OrdersEnriched', WRITE_CONCURRENCY: 'many' } }),
    );
    expect(error.variable).toBe('WRITE_CONCURRENCY');
    expect(error.message).toContain('is invalid');
  });

  it('fails the preprocess cold start naming a missing OUTPUT_STREAM', () => {
    expect(configError(() => createPreprocessHandler({ env: {} })).variable).toBe('OUTPUT_STREAM');
  });

  it('requires TABLE_NAME for the fused enrich topology', () => {
    const env = {
      TOPOLOGY: 'fused',
      JOIN_STATE_TABLE: 'JoinState',
      PRODUCTS_S3_URI: 's3://bucket/products.json',
    };
    expect(configError(() => createEnrichHandler({ env })).variable).toBe('TABLE_NAME');
  });

  it('requires ENRICHED_STREAM for the seed enrich topology', () => {
    const env = { JOIN_STATE_TABLE: 'JoinState', PRODUCTS_S3_URI: 's3://bucket/products.json' };
    expect(configError(() => createEnrichHandler({ env })).variable).toBe('ENRICHED_STREAM');
  });

  it('rejects a TOPOLOGY that is neither seed nor fused', () => {
    const env = { TOPOLOGY: 'three-hop', ENRICHED_STREAM: 's' };
    expect(configError(() => createEnrichHandler({ env })).variable).toBe('TOPOLOGY');
  });

  it('rejects a PRODUCTS_S3_URI that is not s3://bucket/key', () => {
    const env = {
      ENRICHED_STREAM: 's',
      JOIN_STATE_TABLE: 'JoinState',
      PRODUCTS_S3_URI: 'products.json',
    };
    const error = configError(() => createEnrichHandler({ env }));
    expect(error.variable).toBe('PRODUCTS_S3_URI');
    expect(error.message).toContain('s3://bucket/key');
  });

  it('lets explicit options stand in for environment variables', () => {
    const handler = createSinkHandler({
      env: {},
      tableName: 'OrdersEnriched',
      writeConcurrency: 2,
    });
    expect(typeof handler).toBe('function');
  });

  const enrichEnv = {
    ENRICHED_STREAM: 's',
    JOIN_STATE_TABLE: 'JoinState',
    PRODUCTS_S3_URI: 's3://bucket/products.json',
  };

  it('rejects a JOIN_TIME that is neither arrival nor event', () => {
    const env = { ...enrichEnv, JOIN_TIME: 'processing' };
    expect(configError(() => createEnrichHandler({ env })).variable).toBe('JOIN_TIME');
  });

  it('rejects a negative JOIN_LATENESS_SECONDS', () => {
    const env = { ...enrichEnv, JOIN_TIME: 'event', JOIN_LATENESS_SECONDS: '-1' };
    expect(configError(() => createEnrichHandler({ env })).variable).toBe('JOIN_LATENESS_SECONDS');
  });

  it('accepts event time and a lateness from the environment', () => {
    const env = { ...enrichEnv, JOIN_TIME: 'event', JOIN_LATENESS_SECONDS: '30' };
    expect(typeof createEnrichHandler({ env }).sweep).toBe('function');
  });

  it('fails a cold start whose join state TTL does not outlast window + lateness + sweep interval + budget', () => {
    const env = {
      ...enrichEnv,
      JOIN_WINDOW_SECONDS: '60',
      SWEEP_INTERVAL_SECONDS: '60',
      SWEEP_BUDGET_SECONDS: '120',
      JOIN_STATE_TTL_SECONDS: '240',
    };
    const error = configError(() => createEnrichHandler({ env }));
    expect(error.variable).toBe('JOIN_STATE_TTL_SECONDS');
    expect(error.message).toContain('at least 241');
    expect(() =>
      createEnrichHandler({ env: { ...env, JOIN_STATE_TTL_SECONDS: '241' } }),
    ).not.toThrow();
  });

  it('fails the sweeper cold start naming a missing SOURCE_STREAM', () => {
    const error = configError(() =>
      createSweeperHandler({ env: { JOIN_STATE_TABLE: 'JoinState' } }),
    );
    expect(error.variable).toBe('SOURCE_STREAM');
  });
});
