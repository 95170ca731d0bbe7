import { LocalStackError } from '../errors.js';

/** The services kse talks to. */
export type AwsService = 'kinesis' | 'dynamodb' | 's3';

/** Static credentials (the embedded stack uses dummy ones). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * Where and how to reach AWS, resolved once ({@link resolveAwsConfig}) and handed to the
 * client factories. An endpoint left out means "the real AWS endpoint of the region".
 */
export interface AwsConfig {
  region: string;
  endpoints: { kinesis?: string; dynamodb?: string; s3?: string };
  /** Left out: the SDK's default credential chain (env, profile, SSO, instance role…). */
  credentials?: AwsCredentials;
  /** A named profile of `~/.aws/config` for the default credential chain. */
  profile?: string;
  /** Cap of the SDK's own attempts per call (SDK default: 3). */
  maxAttempts?: number;
}

/** Where kse talks to AWS: the embedded local stack, or AWS (an account, or an endpoint). */
export const AWS_TARGETS = ['local', 'aws'] as const;

/**
 * One of {@link AWS_TARGETS}. `local`: the embedded stack, whatever the environment holds
 * (every `AWS_*` variable is ignored). `aws`: the standard AWS configuration (explicit
 * options, then `AWS_ENDPOINT_URL…`, `AWS_REGION`, `AWS_PROFILE`, keys) and the SDK's
 * credential chain.
 */
export type AwsTarget = (typeof AWS_TARGETS)[number];

/** Options of {@link resolveAwsConfig}: any part of an {@link AwsConfig}, plus one endpoint for all services. */
export type ResolveAwsConfigOptions = Partial<AwsConfig> & {
  /** One endpoint for every service (like `AWS_ENDPOINT_URL`); per-service endpoints win. */
  endpoint?: string;
  /**
   * Where to talk to. Default: `aws` when `endpoint` or `endpoints` is given, `local`
   * otherwise. The environment never chooses: AWS settings in a shell do not turn a local
   * run into one against an account.
   */
  target?: AwsTarget;
};

/** What {@link resolveAwsConfig} returns. */
export interface ResolvedAwsConfig {
  config: AwsConfig;
  /** The target resolved: the option, or its default. */
  target: AwsTarget;
  /** True for the `local` target: the caller should start the embedded stack. */
  embedded: boolean;
}

/** Region used when nothing names one. */
export const DEFAULT_REGION = 'us-east-1';

const SERVICES: readonly AwsService[] = ['kinesis', 'dynamodb', 's3'];
const ENV_SUFFIX: Record<AwsService, string> = {
  kinesis: 'KINESIS',
  dynamodb: 'DYNAMODB',
  s3: 'S3',
};

/**
 * Resolves the AWS configuration once, for an explicit {@link AwsTarget}.
 *
 * - `local` (the default without endpoint options): the embedded stack. Nothing of the
 *   environment is read, so a shell holding `AWS_REGION`, a profile, keys or
 *   `AWS_ENDPOINT_URL` still runs locally; only `region` and `maxAttempts` options apply.
 * - `aws` (the default when `endpoint` or `endpoints` is given): explicit options, then
 *   the standard AWS environment variables (`AWS_ENDPOINT_URL_KINESIS` / `_DYNAMODB` /
 *   `_S3`, `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_PROFILE`,
 *   `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`),
 *   `AWS_MAX_ATTEMPTS`); credentials left out go to the SDK's default chain.
 *
 * Malformed settings throw a {@link LocalStackError} `KSE_CONFIG_INVALID` naming the
 * option or variable; so does an endpoint given with `target: 'local'`.
 *
 * `env` defaults to `process.env`: this is the one place kse reads the standard AWS
 * variables, so that a user pointing at AWS changes no code.
 *
 * @example
 * ```ts
 * resolveAwsConfig({}, { AWS_REGION: 'us-east-1' }).embedded; // true: the environment never chooses
 * const { config } = resolveAwsConfig({ target: 'aws' }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
 * // config.endpoints.kinesis === 'http://127.0.0.1:4566'
 * ```
 */
export function resolveAwsConfig(
  options: ResolveAwsConfigOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedAwsConfig {
  const { target: targetOption, ...rest } = options;
  const hasEndpointOption =
    nonEmpty(rest.endpoint) !== undefined ||
    Object.values(rest.endpoints ?? {}).some((e) => nonEmpty(e) !== undefined);
  const target = targetOption ?? (hasEndpointOption ? 'aws' : 'local');
  if (!(AWS_TARGETS as readonly string[]).includes(target)) {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      `target must be one of ${AWS_TARGETS.join(', ')}, got ${JSON.stringify(target)}`,
      { setting: 'target' },
    );
  }
  if (target === 'local')
    return { config: localConfig(rest, hasEndpointOption), target, embedded: true };
  return { config: awsConfig(rest, env), target, embedded: false };
}

// The embedded stack's config before it starts: a region, no endpoint, nothing from env.
function localConfig(options: ResolveAwsConfigOptions, hasEndpointOption: boolean): AwsConfig {
  if (hasEndpointOption) {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      "target 'local' starts the embedded stack: an endpoint needs target 'aws'",
      { setting: 'target' },
    );
  }
  const region = nonEmpty(options.region);
  const config: AwsConfig = {
    region: region === undefined ? DEFAULT_REGION : validateRegion(region, 'region'),
    endpoints: {},
  };
  if (options.maxAttempts !== undefined) {
    config.maxAttempts = validateMaxAttempts(options.maxAttempts, 'maxAttempts');
  }
  return config;
}

// Explicit options, then the standard AWS variables.
function awsConfig(options: ResolveAwsConfigOptions, env: NodeJS.ProcessEnv): AwsConfig {
  const endpoints: AwsConfig['endpoints'] = {};
  const optionEndpoint = options.endpoint === undefined ? undefined : nonEmpty(options.endpoint);
  const envEndpoint = nonEmpty(env.AWS_ENDPOINT_URL);
  for (const service of SERVICES) {
    const candidates: [string | undefined, string][] = [
      [nonEmpty(options.endpoints?.[service]), `endpoints.${service}`],
      [optionEndpoint, 'endpoint'],
      [
        nonEmpty(env[`AWS_ENDPOINT_URL_${ENV_SUFFIX[service]}`]),
        `AWS_ENDPOINT_URL_${ENV_SUFFIX[service]}`,
      ],
      [envEndpoint, 'AWS_ENDPOINT_URL'],
    ];
    const found = candidates.find(([value]) => value !== undefined);
    if (found) endpoints[service] = validateEndpoint(found[0]!, found[1]);
  }

  const regionFound: [string | undefined, string] | undefined = (
    [
      [nonEmpty(options.region), 'region'],
      [nonEmpty(env.AWS_REGION), 'AWS_REGION'],
      [nonEmpty(env.AWS_DEFAULT_REGION), 'AWS_DEFAULT_REGION'],
    ] as [string | undefined, string][]
  ).find(([value]) => value !== undefined);
  const region = regionFound ? validateRegion(regionFound[0]!, regionFound[1]) : DEFAULT_REGION;

  const profile = nonEmpty(options.profile) ?? nonEmpty(env.AWS_PROFILE);
  const credentials = options.credentials ?? envCredentials(env);
  const maxAttempts =
    options.maxAttempts !== undefined
      ? validateMaxAttempts(options.maxAttempts, 'maxAttempts')
      : nonEmpty(env.AWS_MAX_ATTEMPTS) !== undefined
        ? validateMaxAttempts(Number(env.AWS_MAX_ATTEMPTS), 'AWS_MAX_ATTEMPTS')
        : undefined;

  const hasEndpoint = Object.keys(endpoints).length > 0;
  const config: AwsConfig = { region, endpoints };
  if (credentials) config.credentials = credentials;
  else if (hasEndpoint && profile === undefined && allLoopback(endpoints)) {
    // Emulators accept any signature, but the SDK refuses to sign without credentials.
    config.credentials = { ...LOCAL_CREDENTIALS };
  }
  if (profile !== undefined) config.profile = profile;
  if (maxAttempts !== undefined) config.maxAttempts = maxAttempts;
  return config;
}

/**
 * Dummy credentials of the embedded stack. `S3RVER` is the key pair s3rver knows; the
 * other emulators accept anything.
 */
export const LOCAL_CREDENTIALS: Readonly<AwsCredentials> = Object.freeze({
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
});

function allLoopback(endpoints: AwsConfig['endpoints']): boolean {
  return Object.values(endpoints).every((endpoint) => {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function validateEndpoint(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      `${setting} must be an http:// or https:// URL, got ${JSON.stringify(value)}`,
      { setting, cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      `${setting} must be an http:// or https:// URL, got ${JSON.stringify(value)}`,
      { setting },
    );
  }
  return value.replace(/\/+$/, '');
}

function validateRegion(value: string, setting: string): string {
  if (!/^[a-z0-9-]+$/.test(value)) {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      `${setting} must be a region name such as us-east-1, got ${JSON.stringify(value)}`,
      { setting },
    );
  }
  return value;
}

function validateMaxAttempts(value: number, setting: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new LocalStackError(
      'KSE_CONFIG_INVALID',
      `${setting} must be an integer >= 1, got ${JSON.stringify(value)}`,
      { setting },
    );
  }
  return value;
}

function envCredentials(env: NodeJS.ProcessEnv): AwsCredentials | undefined {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  return sessionToken === undefined
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId, secretAccessKey, sessionToken };
}
