import { Command, CommanderError } from 'commander';
import {
  EXIT_CODES,
  EXIT_CODES_HELP,
  classifyError,
  formatCliError,
} from './commands/exitCodes.js';
import { registerGenerate } from './commands/generate.js';
import { registerLocal } from './commands/local.js';
import { registerReplay } from './commands/replay.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerVerify } from './commands/verify.js';
import { fitText, terminalColumns, writeFitted } from './report/index.js';

/** Exit code for usage errors (bad flags, bad values), as POSIX tools do. */
export const EXIT_USAGE = EXIT_CODES.usage;

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
    .option('--debug', 'print the stack trace of an error')
    .exitOverride();
  registerGenerate(program);
  registerReplay(program);
  registerLocal(program);
  registerRun(program);
  registerVerify(program);
  registerReport(program);
  program.addHelpText('after', `\n${EXIT_CODES_HELP}`);
  configureOutputs(program, 'kse');
  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code (see
 * {@link EXIT_CODES}): `--help` and `--version` exit 0, usage errors 2. An error a command
 * throws is printed as one line, `kse <command>: <code>: <message>`, plus a `hint:` line
 * where there is one; the stack trace only with `--debug`.
 */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  let commandPath = 'kse';
  program.hook('preAction', (_program, action) => {
    commandPath = pathOf(action);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT_CODES.ok;
      }
      // Already printed by the command's outputError (configureOutputs).
      return EXIT_CODES.usage;
    }
    const debug = program.opts<{ debug?: boolean }>().debug === true || argv.includes('--debug');
    const classified = classifyError(error);
    writeFitted(
      process.stderr,
      formatCliError(commandPath, classified, error, debug).join('\n') + '\n',
    );
    return classified.exitCode;
  }
}

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

// Commander's own usage errors (unknown option, bad value…) in kse's one-line form, with
// the help to read as the hint: `kse run: KSE_USAGE: unknown option '--x'`; and the help
// fitted to the terminal (commander wraps the option table, not the text after it).
function configureOutputs(command: Command, path: string): void {
  command.showHelpAfterError(false).configureOutput({
    writeOut: (text) => writeFitted(process.stdout, text),
    outputError: (text, write) => {
      const lines = text
        .trim()
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      const message = (lines[0] ?? 'usage error').replace(/^error: /, '');
      const suggestion = lines
        .slice(1)
        .map((line) => /^\(Did you mean (.+)\?\)$/.exec(line)?.[1])
        .find((s) => s !== undefined);
      const hint =
        suggestion === undefined
          ? `see \`${path} --help\``
          : `did you mean ${suggestion}? (see \`${path} --help\`)`;
      const out = `${path}: KSE_USAGE: ${message}\nhint: ${hint}\n`;
      write(process.stderr.isTTY ? fitText(out, terminalColumns(process.stderr)) : out);
    },
  });
  for (const sub of command.commands) configureOutputs(sub, `${path} ${sub.name()}`);
}
