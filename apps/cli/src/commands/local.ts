import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import {
  LocalStackError,
  formatFaultSpec,
  isLocalStackError,
  spawnLocalStack,
  type FaultSpec,
} from '@kse/local-stack';
import { CliError, EXIT_CODES } from './exitCodes.js';
import { FAULTS_HELP, faultsOption, intAtLeast } from './options.js';
import { writeFitted } from '../report/index.js';
import {
  DEFAULT_LOCAL_STATE_FILE,
  isAlive,
  readState,
  runningState,
  type LocalStackState,
} from './localState.js';

export { DEFAULT_LOCAL_STATE_FILE, type LocalStackState } from './localState.js';

interface StateFlags {
  state: string;
}

interface UpFlags extends StateFlags {
  host: string;
  region: string;
  dataDir?: string;
  kinesisPort?: number;
  dynamodbPort?: number;
  s3Port?: number;
  faults?: FaultSpec;
}

/** Shell lines that point the AWS SDKs and CLI at the stack. */
export function envLines(state: LocalStackState): string[] {
  const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
  return [
    `export AWS_ENDPOINT_URL_KINESIS=${quote(state.endpoints.kinesis)}`,
    `export AWS_ENDPOINT_URL_DYNAMODB=${quote(state.endpoints.dynamodb)}`,
    `export AWS_ENDPOINT_URL_S3=${quote(state.endpoints.s3)}`,
    `export AWS_REGION=${quote(state.region)}`,
    `export AWS_ACCESS_KEY_ID=${quote(state.credentials.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${quote(state.credentials.secretAccessKey)}`,
  ];
}

function describeState(state: LocalStackState): string {
  return [
    `local stack up (pid ${state.pid}, since ${state.startedAt}, region ${state.region})`,
    `  kinesis   ${state.endpoints.kinesis}`,
    `  dynamodb  ${state.endpoints.dynamodb}`,
    `  s3        ${state.endpoints.s3}`,
    `  log       ${state.logFile}`,
  ].join('\n');
}

async function up(flags: UpFlags): Promise<number> {
  const file = resolve(flags.state);
  const existing = await runningState(file);
  if (existing) {
    writeFitted(process.stdout, `${describeState(existing)}\n(already running)\n`);
    return 0;
  }
  mkdirSync(dirname(file), { recursive: true });
  const logFile = file.replace(/\.json$/, '') + '.log';
  const logFd = openSync(logFile, 'a');
  try {
    const stack = await spawnLocalStack({
      detached: true,
      speedups: true,
      stderrFd: logFd,
      host: flags.host,
      region: flags.region,
      ...(flags.dataDir === undefined ? {} : { dataDir: resolve(flags.dataDir) }),
      ...(flags.faults === undefined ? {} : { faults: flags.faults }),
      ports: {
        ...(flags.kinesisPort === undefined ? {} : { kinesis: flags.kinesisPort }),
        ...(flags.dynamodbPort === undefined ? {} : { dynamodb: flags.dynamodbPort }),
        ...(flags.s3Port === undefined ? {} : { s3: flags.s3Port }),
      },
    });
    const port = (endpoint: string): number => Number(new URL(endpoint).port);
    const state: LocalStackState = {
      pid: stack.pid,
      region: stack.region,
      endpoints: stack.endpoints,
      credentials: {
        accessKeyId: stack.credentials.accessKeyId,
        secretAccessKey: stack.credentials.secretAccessKey,
      },
      ports: {
        kinesis: port(stack.endpoints.kinesis),
        dynamodb: port(stack.endpoints.dynamodb),
        s3: port(stack.endpoints.s3),
      },
      startedAt: new Date().toISOString(),
      logFile,
      ...(flags.dataDir === undefined ? {} : { dataDir: resolve(flags.dataDir) }),
    };
    writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
    writeFitted(
      process.stdout,
      `${describeState(state)}\n${
        flags.faults === undefined
          ? ''
          : `faults: ${formatFaultSpec(flags.faults)} (kinesis and dynamodb above are fault proxies; counts in the log at down)\n`
      }state: ${file}\nfor a shell: eval "$(kse local env${
        flags.state === DEFAULT_LOCAL_STATE_FILE ? '' : ` --state ${flags.state}`
      })"\n`,
    );
    return 0;
  } catch (error) {
    // The same error, naming the flag to change rather than the library's option.
    if (isLocalStackError(error) && error.setting !== undefined) {
      const flag = error.setting.startsWith('ports.')
        ? `--${error.setting.slice('ports.'.length)}-port`
        : error.setting === 'host'
          ? '--host'
          : error.setting;
      const message = error.message
        .replace(`${error.code}: `, '')
        .replace(`${error.setting}: `, `${flag}: `);
      throw new LocalStackError(error.code, message, {
        cause: error,
        setting: flag,
      });
    }
    throw error;
  } finally {
    closeSync(logFd);
  }
}

async function down(flags: StateFlags): Promise<number> {
  const file = resolve(flags.state);
  const state = readState(file);
  if (state === undefined) {
    process.stdout.write('local stack is not running (no state file)\n');
    return 0;
  }
  if (isAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (isAlive(state.pid) && Date.now() < deadline) await delay(50);
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  rmSync(file, { force: true });
  process.stdout.write(`local stack stopped (pid ${state.pid})\n`);
  return 0;
}

async function env(flags: StateFlags): Promise<number> {
  const state = await runningState(resolve(flags.state));
  if (state === undefined) {
    throw new CliError('KSE_STACK_NOT_RUNNING', `the local stack is not running (${flags.state})`, {
      hint: 'start it with `kse local up`',
    });
  }
  process.stdout.write(`${envLines(state).join('\n')}\n`);
  return 0;
}

async function status(flags: StateFlags & { json?: boolean }): Promise<number> {
  const state = await runningState(resolve(flags.state));
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(state ? { running: true, ...state } : { running: false })}\n`,
    );
  } else {
    writeFitted(
      process.stdout,
      state ? `${describeState(state)}\n` : 'local stack is not running\n',
    );
  }
  return state ? EXIT_CODES.ok : EXIT_CODES.infrastructure;
}

/**
 * `kse local up|env|down|status`: the local AWS stack (Kinesis, DynamoDB, S3 emulators)
 * as a long-lived background process, described by a state file.
 */
export function registerLocal(program: Command): void {
  const local = program
    .command('local')
    .description('Run the local AWS stack (Kinesis, DynamoDB, S3 emulators) in the background');
  const stateOption = (command: Command): Command =>
    command.option('--state <file>', 'state file of the stack', DEFAULT_LOCAL_STATE_FILE);
  const finish = (code: number): void => {
    process.exitCode = code;
  };

  stateOption(
    local
      .command('up')
      .description('Start the stack in the background and write the state file (ports, pid)')
      .option('--host <address>', 'loopback address to listen on', '127.0.0.1')
      .option('--region <name>', 'region of ARNs and the printed environment', 'us-east-1')
      .option('--data-dir <dir>', 'keep data on disk here (default: in memory)')
      .option('--kinesis-port <n>', 'Kinesis port (default: a free one)', intAtLeast(1))
      .option('--dynamodb-port <n>', 'DynamoDB port (default: a free one)', intAtLeast(1))
      .option('--s3-port <n>', 'S3 port (default: a free one)', intAtLeast(1))
      .option(
        '--faults <spec>',
        `${FAULTS_HELP}; the endpoints printed are the proxies'`,
        faultsOption,
      ),
  ).action(async (flags: UpFlags) => finish(await up(flags)));

  stateOption(
    local
      .command('env')
      .description('Print `export AWS_…` lines for a shell: eval "$(kse local env)"'),
  ).action(async (flags: StateFlags) => finish(await env(flags)));

  stateOption(local.command('down').description('Stop the stack and free its ports')).action(
    async (flags: StateFlags) => finish(await down(flags)),
  );

  stateOption(
    local
      .command('status')
      .description('Say whether the stack is up, and where (exit 0 up, 3 not running)')
      .option('--json', 'print JSON'),
  ).action(async (flags: StateFlags & { json?: boolean }) => finish(await status(flags)));
}
