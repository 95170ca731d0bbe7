import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, isLocalStackError, resolveAwsConfig } from '../src/index.js';

describe('resolveAwsConfig', () => {
  it('is embedded, in us-east-1, when nothing is configured', () => {
    expect(resolveAwsConfig({}, {})).toEqual({
      config: { region: 'us-east-1', endpoints: {} },
      target: 'local',
      embedded: true,
    });
  });

  it('stays local whatever AWS settings the environment holds (regression: issue 20)', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-2',
      AWS_PROFILE: 'prod',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
      AWS_SESSION_TOKEN: 'ST',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:2',
      AWS_MAX_ATTEMPTS: '9',
    };
    expect(resolveAwsConfig({}, env)).toEqual({
      config: { region: 'us-east-1', endpoints: {} },
      target: 'local',
      embedded: true,
    });
    expect(
      resolveAwsConfig({ target: 'local', region: 'ap-south-1', maxAttempts: 2 }, env),
    ).toEqual({
      config: { region: 'ap-south-1', endpoints: {}, maxAttempts: 2 },
      target: 'local',
      embedded: true,
    });
  });

  it('targets AWS when an endpoint option is given, and refuses one with target local', () => {
    const { target, embedded, config } = resolveAwsConfig({ endpoint: 'http://127.0.0.1:9' }, {});
    expect({ target, embedded }).toEqual({ target: 'aws', embedded: false });
    expect(config.endpoints.dynamodb).toBe('http://127.0.0.1:9');
    expect(() => resolveAwsConfig({ target: 'local', endpoint: 'http://127.0.0.1:9' }, {})).toThrow(
      expect.objectContaining({ code: 'KSE_CONFIG_INVALID', setting: 'target' }),
    );
  });

  it('targets AWS with nothing configured when asked: the real endpoints and the SDK chain', () => {
    expect(resolveAwsConfig({ target: 'aws' }, {})).toEqual({
      config: { region: 'us-east-1', endpoints: {} },
      target: 'aws',
      embedded: false,
    });
  });

  it('takes one AWS_ENDPOINT_URL for every service, with dummy credentials for loopback', () => {
    const { config, embedded } = resolveAwsConfig(
      { target: 'aws' },
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/' },
    );
    expect(embedded).toBe(false);
    expect(config.endpoints).toEqual({
      kinesis: 'http://127.0.0.1:4566',
      dynamodb: 'http://127.0.0.1:4566',
      s3: 'http://127.0.0.1:4566',
    });
    expect(config.credentials).toEqual(LOCAL_CREDENTIALS);
  });

  it('prefers AWS_ENDPOINT_URL_<SERVICE> over AWS_ENDPOINT_URL', () => {
    const { config } = resolveAwsConfig(
      { target: 'aws' },
      {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:2',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:3',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4',
      },
    );
    expect(config.endpoints).toEqual({
      kinesis: 'http://127.0.0.1:2',
      dynamodb: 'http://127.0.0.1:3',
      s3: 'http://127.0.0.1:4',
    });
  });

  it('prefers explicit options over the environment', () => {
    const { config } = resolveAwsConfig(
      {
        endpoint: 'http://127.0.0.1:9',
        endpoints: { s3: 'http://127.0.0.1:8' },
        region: 'eu-west-1',
      },
      { AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:2', AWS_REGION: 'us-west-2' },
    );
    expect(config.endpoints).toEqual({
      kinesis: 'http://127.0.0.1:9',
      dynamodb: 'http://127.0.0.1:9',
      s3: 'http://127.0.0.1:8',
    });
    expect(config.region).toBe('eu-west-1');
  });

  it('prefers AWS_REGION over AWS_DEFAULT_REGION on the aws target', () => {
    const { config, embedded } = resolveAwsConfig(
      { target: 'aws' },
      { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' },
    );
    expect(config).toEqual({ region: 'eu-central-1', endpoints: {} });
    expect(embedded).toBe(false);
    expect(
      resolveAwsConfig({ target: 'aws' }, { AWS_DEFAULT_REGION: 'us-west-2' }).config.region,
    ).toBe('us-west-2');
  });

  it('takes AWS_PROFILE and leaves credentials to the SDK chain', () => {
    const { config, embedded } = resolveAwsConfig({ target: 'aws' }, { AWS_PROFILE: 'prod' });
    expect(config).toEqual({ region: 'us-east-1', endpoints: {}, profile: 'prod' });
    expect(embedded).toBe(false);
  });

  it('takes static credentials and a session token from the environment', () => {
    const { config } = resolveAwsConfig(
      { target: 'aws' },
      { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_SESSION_TOKEN: 'ST' },
    );
    expect(config.credentials).toEqual({
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      sessionToken: 'ST',
    });
  });

  it('does not invent credentials for a non-loopback endpoint', () => {
    const { config } = resolveAwsConfig(
      { target: 'aws' },
      { AWS_ENDPOINT_URL: 'https://kinesis.example.com' },
    );
    expect(config.credentials).toBeUndefined();
  });

  it('takes maxAttempts from options, then AWS_MAX_ATTEMPTS', () => {
    expect(
      resolveAwsConfig({ target: 'aws', maxAttempts: 2 }, { AWS_MAX_ATTEMPTS: '5' }).config
        .maxAttempts,
    ).toBe(2);
    expect(resolveAwsConfig({ target: 'aws' }, { AWS_MAX_ATTEMPTS: '5' }).config.maxAttempts).toBe(
      5,
    );
  });

  it('names the variable when an endpoint is not a URL', () => {
    let caught: unknown;
    try {
      resolveAwsConfig({ target: 'aws' }, { AWS_ENDPOINT_URL_DYNAMODB: 'localhost:8000' });
    } catch (error) {
      caught = error;
    }
    expect(isLocalStackError(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: 'KSE_CONFIG_INVALID',
      setting: 'AWS_ENDPOINT_URL_DYNAMODB',
    });
    expect((caught as Error).message).toContain('AWS_ENDPOINT_URL_DYNAMODB');
  });

  it('names the option when an explicit endpoint is not a URL', () => {
    expect(() => resolveAwsConfig({ endpoint: 'not a url' }, {})).toThrow(
      expect.objectContaining({ code: 'KSE_CONFIG_INVALID', setting: 'endpoint' }),
    );
  });

  it('names AWS_MAX_ATTEMPTS when it is not a positive integer', () => {
    expect(() => resolveAwsConfig({ target: 'aws' }, { AWS_MAX_ATTEMPTS: 'three' })).toThrow(
      expect.objectContaining({ code: 'KSE_CONFIG_INVALID', setting: 'AWS_MAX_ATTEMPTS' }),
    );
  });

  it('names AWS_REGION when it is not a region name', () => {
    expect(() => resolveAwsConfig({ target: 'aws' }, { AWS_REGION: 'US East' })).toThrow(
      expect.objectContaining({ code: 'KSE_CONFIG_INVALID', setting: 'AWS_REGION' }),
    );
  });
});
