import { Command, CommanderError } from 'commander';
import { registerGenerate } from './commands/generate.js';
import { registerLocal } from './commands/local.js';
import { registerReplay } from './commands/replay.js';
import { registerRun } from './commands/run.js';
import { registerVerify } from './commands/verify.js';

/** Exit code for usage errors (bad flags, bad values), as POSIX tools do. */
export const EXIT_USAGE = 2;

/**
 * Builds the `kse` command. Each sub-command lives in `commands/<name>.ts` and registers
 * itself here; the program never calls `process.exit` itself, so tests can drive it.
 */
export function buildProgram(): Command {
  const program = new Command('kse')
    .description(
      'Streaming ETL on Amazon Kinesis: generate, replay, join, enrich, land in DynamoDB.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerGenerate(program);
  registerReplay(program);
  registerLocal(program);
  registerRun(program);
  registerVerify(program);
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 * Usage errors exit 2; `--help` and `--version` exit 0.
 */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    throw error;
  }
}
