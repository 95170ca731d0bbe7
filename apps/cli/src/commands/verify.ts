import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { createDynamoDbClient } from '@kse/local-stack';
import { addAwsOptions, resolveTarget, selectAws, type AwsFlags } from './awsOptions.js';
import { CliError, EXIT_CODES } from './exitCodes.js';
import { onInterrupt } from './interrupt.js';
import { intAtLeast } from './options.js';
import { writeFitted } from '../report/index.js';
import {
  DEFAULT_VERIFY_OPTIONS,
  formatVerdict,
  formatVerifyProgress,
  verifyTable,
  type VerifyProgress,
} from '../verify/index.js';

interface VerifyFlags extends AwsFlags {
  input: string;
  products?: string;
  orders?: string;
  table: string;
  deadLetters?: string;
  examples: number;
  segments: number;
  partitionMb: number;
  progress?: boolean;
  output?: 'json' | 'text';
  /** Deprecated spelling of `--output json`. */
  json?: boolean;
}

/**
 * `kse verify`: checks a DynamoDB table against the files `kse generate` wrote, field by
 * field, and prints the verdict. Exit 0 only when the table is exact, 1 otherwise.
 */
export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .description('Check a table of enriched rows against the generated input files, field by field')
    .option('--input <dir>', 'directory holding products.json and orders.json', '.')
    .option('--products <file>', 'products NDJSON file (default: <input>/products.json)')
    .option('--orders <file>', 'orders NDJSON file (default: <input>/orders.json)')
    .option('--table <name>', 'DynamoDB table to check', 'OrdersEnriched');
  addAwsOptions(command)
    .option('--dead-letters <file>', 'NDJSON dead-letter file of the run, counted in the verdict')
    .option('--examples <n>', 'examples to print for each kind of difference', intAtLeast(0), 5)
    .option(
      '--segments <n>',
      'parallel Scan segments',
      intAtLeast(1),
      DEFAULT_VERIFY_OPTIONS.segments,
    )
    .option(
      '--partition-mb <n>',
      'MiB of the orders file compared in memory at a time; beyond it, both sides are partitioned by orderId into temporary files',
      intAtLeast(1),
      DEFAULT_VERIFY_OPTIONS.partitionBytes >> 20,
    )
    .option('--no-progress', 'no progress lines on stderr')
    .addOption(
      new Option('--output <format>', 'text: the verdict for people; json: the result').choices([
        'json',
        'text',
      ]),
    )
    .addOption(new Option('--json', 'deprecated: --output json').hideHelp())
    .addHelpText(
      'after',
      `
Expected rows are derived from the files alone (items joined to orders on
orderId, LEFT JOIN products on itemId = productId), independently of the
streaming join. Every compared field must match; event_ts and the *_arrival_ts
trace fields are ignored. Duplicates follow the join's and the sink's rule, last
write wins: one row per orderId/itemId, the last copy of the item joined to the
last copy of its order. The table is only read.

Memory stays flat whatever the row count: an orders file larger than
--partition-mb is hash-partitioned by orderId into a kse-verify-* temporary
directory (removed on exit), the table's rows likewise while it is scanned,
and each partition is compared on its own. A long verify prints a progress
line to stderr every 5 s.

Where the table is: --target local (the default) is the stack \`kse local up\`
started (its --state file); --endpoint-url an endpoint (e.g. one that
\`kse run --keep\` printed); --target aws an account (--profile, --region).`,
    )
    .action(verifyCommand);
}

async function verifyCommand(flags: VerifyFlags): Promise<void> {
  const productsPath = resolve(flags.products ?? join(flags.input, 'products.json'));
  const ordersPath = resolve(flags.orders ?? join(flags.input, 'orders.json'));
  for (const [option, path] of [
    ['--products', productsPath],
    ['--orders', ordersPath],
  ] as const) {
    if (!existsSync(path)) {
      throw new CliError('KSE_USAGE', `${option}: no such file ${path}`, {
        hint: 'point --input at the directory `kse generate` (or `kse run --work-dir`) wrote',
      });
    }
  }
  if (flags.json === true) {
    process.stderr.write('kse verify: --json is deprecated; use --output json\n');
  }
  const output = flags.output ?? (flags.json === true ? 'json' : 'text');
  const target = resolveTarget(selectAws(flags, 'kse verify'), true);
  if (target.kind === 'embedded') {
    throw new CliError('KSE_USAGE', 'no table to check: no `kse local up` stack is running', {
      hint: 'start one with `kse local up`, or pass --endpoint-url or --target aws',
    });
  }
  const deadLettered = flags.deadLetters === undefined ? undefined : countLines(flags.deadLetters);
  const dynamodb = createDynamoDbClient(target.config);
  // Ctrl-C: closing the client ends the Scan at once.
  const interrupt = onInterrupt();
  interrupt.signal.addEventListener('abort', () => dynamodb.destroy(), { once: true });
  try {
    const result = await verifyTable({
      dynamodb,
      tableName: flags.table,
      productsPath,
      ordersPath,
      examples: flags.examples,
      segments: flags.segments,
      partitionBytes: flags.partitionMb * 2 ** 20,
      ...(flags.progress === false
        ? {}
        : {
            onProgress: (progress: VerifyProgress) =>
              process.stderr.write(formatVerifyProgress(progress) + '\n'),
          }),
      ...(deadLettered === undefined ? {} : { deadLettered }),
    });
    if (output === 'json') process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else writeFitted(process.stdout, formatVerdict(result));
    process.exitCode = result.exact ? EXIT_CODES.ok : EXIT_CODES.notExact;
  } catch (error) {
    if (interrupt.signal.aborted) throw interrupt.interrupted('nothing left running');
    throw error;
  } finally {
    interrupt.dispose();
    dynamodb.destroy();
  }
}

function countLines(path: string): number {
  if (!existsSync(path)) {
    throw new CliError('KSE_USAGE', `--dead-letters: no such file ${path}`);
  }
  const text = readFileSync(path, 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '').length;
}
