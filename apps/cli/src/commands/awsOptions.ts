import { Option, type Command } from 'commander';
import {
  AWS_TARGETS,
  isLocalStackError,
  openAws,
  resolveAwsConfig,
  type AwsConfig,
  type AwsTarget,
  type LocalStackOptions,
  type OpenAws,
} from '@kse/local-stack';
import { CliError } from './exitCodes.js';
import {
  DEFAULT_LOCAL_STATE_FILE,
  kseStackAt,
  liveState,
  stateConfig,
  type LocalStackState,
} from './localState.js';

/** The AWS flags every command that talks to AWS takes, as the AWS CLI names them. */
export interface AwsFlags {
  target?: AwsTarget;
  endpointUrl?: string;
  /** Deprecated spelling of `endpointUrl`. */
  endpoint?: string;
  profile?: string;
  region?: string;
  /** State file of `kse local up`. */
  state: string;
}

/**
 * Adds `--target local|aws`, `--endpoint-url`, `--profile`, `--region` and `--state` (and
 * the deprecated `--endpoint`, hidden) to `command`.
 */
export function addAwsOptions(command: Command, regionHelp = 'AWS region'): Command {
  return command
    .addOption(
      new Option(
        '--target <where>',
        'local: an embedded stack kse starts, whatever AWS_* variables say; aws: an AWS account (credential chain, --profile, --region)',
      ).choices(AWS_TARGETS),
    )
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (implies --target aws)')
    .option('--profile <name>', 'named profile of ~/.aws/config for --target aws')
    .option('--region <region>', regionHelp)
    .option(
      '--state <file>',
      'state file of `kse local up`, to recognise the stack it started',
      DEFAULT_LOCAL_STATE_FILE,
    )
    .addOption(new Option('--endpoint <url>', 'deprecated: --endpoint-url').hideHelp());
}

/** What the AWS flags ask for, validated. */
export interface AwsSelection {
  target: AwsTarget;
  /** An explicit endpoint for every service (`--endpoint-url`). */
  endpoint?: string;
  region?: string;
  profile?: string;
  stateFile: string;
}

/**
 * Validates the AWS flags: `--endpoint-url` means the aws target (with `--target local`
 * it is a usage error), `--profile` only goes with it; the deprecated `--endpoint` still
 * works, with a one-line notice on `notices`.
 */
export function selectAws(
  flags: AwsFlags,
  commandPath: string,
  notices: NodeJS.WritableStream = process.stderr,
): AwsSelection {
  if (flags.endpoint !== undefined) {
    notices.write(`${commandPath}: --endpoint is deprecated; use --endpoint-url\n`);
  }
  const endpoint = flags.endpointUrl ?? flags.endpoint;
  if (endpoint !== undefined && flags.target === 'local') {
    throw new CliError('KSE_USAGE', '--endpoint-url and --target local do not go together', {
      hint: 'the local target is an embedded stack; drop --target local to use the endpoint',
    });
  }
  const target: AwsTarget = endpoint !== undefined ? 'aws' : (flags.target ?? 'local');
  if (target === 'local' && flags.profile !== undefined) {
    throw new CliError('KSE_USAGE', '--profile needs --target aws', {
      hint: 'the local target uses no AWS account; add --target aws to use the profile',
    });
  }
  return {
    target,
    stateFile: flags.state,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
  };
}

/** Where a command's AWS calls go. */
export type ResolvedTarget =
  /** The local target and no `kse local up` stack to use: start an embedded one. */
  | { kind: 'embedded'; region?: string }
  /** A stack `kse local up` started: the local target's, or endpoints that are its. */
  | { kind: 'kse-stack'; config: AwsConfig; state: LocalStackState }
  /** An AWS account, or an endpoint kse did not start. */
  | { kind: 'aws'; config: AwsConfig };

/**
 * Resolves a selection to where calls go; makes no call. The aws target reads the
 * standard AWS configuration (flags, then `AWS_*` variables); endpoints that are those of
 * a running `kse local up` stack are recognised as kse's own. The local target never
 * reads `AWS_*`: it is the `kse local up` stack when `useLocalUp` and one is running,
 * else an embedded stack.
 */
export function resolveTarget(selection: AwsSelection, useLocalUp: boolean): ResolvedTarget {
  if (selection.target === 'local') {
    const state = useLocalUp ? liveState(selection.stateFile) : undefined;
    if (state !== undefined) return { kind: 'kse-stack', config: stateConfig(state), state };
    return {
      kind: 'embedded',
      ...(selection.region === undefined ? {} : { region: selection.region }),
    };
  }
  let config: AwsConfig;
  try {
    config = resolveAwsConfig({
      target: 'aws',
      ...(selection.endpoint === undefined ? {} : { endpoint: selection.endpoint }),
      ...(selection.region === undefined ? {} : { region: selection.region }),
      ...(selection.profile === undefined ? {} : { profile: selection.profile }),
    }).config;
  } catch (error) {
    if (isLocalStackError(error) && error.code === 'KSE_CONFIG_INVALID') {
      const flag = FLAG_OF_SETTING[error.setting ?? ''];
      throw new CliError('KSE_USAGE', error.message.replace(/^KSE_CONFIG_INVALID: /, ''), {
        cause: error,
        hint: flag === undefined ? `fix ${error.setting}` : `fix ${flag}`,
      });
    }
    throw error;
  }
  const state = kseStackAt(config.endpoints, selection.stateFile);
  if (state !== undefined) {
    return {
      kind: 'kse-stack',
      config: { ...stateConfig(state), endpoints: { ...config.endpoints } },
      state,
    };
  }
  return { kind: 'aws', config };
}

const FLAG_OF_SETTING: Record<string, string> = {
  endpoint: '--endpoint-url',
  region: '--region',
};

/** One line saying where the calls go, for the commands' first line of output. */
export function describeTarget(resolved: ResolvedTarget): string {
  switch (resolved.kind) {
    case 'embedded':
      return 'the embedded local stack';
    case 'kse-stack':
      return `the \`kse local up\` stack (pid ${resolved.state.pid})`;
    case 'aws': {
      const endpoints = [...new Set(Object.values(resolved.config.endpoints))];
      return endpoints.length === 0
        ? `AWS, region ${resolved.config.region}`
        : `${endpoints.join(', ')} (region ${resolved.config.region})`;
    }
  }
}

/**
 * Opens clients on a resolved target: an embedded stack is started (with `localStack`'s
 * options); otherwise the resolved configuration is used as it is (nothing more is read
 * from the environment).
 */
export function openTarget(
  resolved: ResolvedTarget,
  localStack: LocalStackOptions = {},
): Promise<OpenAws> {
  if (resolved.kind === 'embedded') {
    return openAws({
      target: 'local',
      env: {},
      localStack,
      ...(resolved.region === undefined ? {} : { region: resolved.region }),
    });
  }
  return openAws({ target: 'aws', env: {}, ...resolved.config });
}
