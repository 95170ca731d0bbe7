import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createDynamoDbClient, resolveAwsConfig } from '@kse/local-stack';
import { intAtLeast } from './options.js';
import { formatVerdict, verifyTable } from '../verify/index.js';

interface VerifyFlags {
  input: string;
  products?: string;
  orders?: string;
  table: string;
  endpoint?: string;
  region?: string;
  deadLetters?: string;
  examples: number;
  segments: number;
  json?: boolean;
}

/**
 * `kse verify`: checks a DynamoDB table against the files `kse generate` wrote, field by
 * field, and prints the verdict. Exit 0 only when the table is exact, 1 otherwise.
 */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Check a table of enriched rows against the generated input files, field by field')
    .option('--input <dir>', 'directory holding products.json and orders.json', '.')
    .option('--products <file>', 'products NDJSON file (default: <input>/products.json)')
    .option('--orders <file>', 'orders NDJSON file (default: <input>/orders.json)')
    .option('--table <name>', 'DynamoDB table to check', 'OrdersEnriched')
    .option('--endpoint <url>', 'AWS endpoint for every service (e.g. a `kse local up` stack)')
    .option('--region <region>', 'AWS region')
    .option('--dead-letters <file>', 'NDJSON dead-letter file of the run, counted in the verdict')
    .option('--examples <n>', 'examples to print for each kind of difference', intAtLeast(0), 5)
    .option('--segments <n>', 'parallel Scan segments', intAtLeast(1), 1)
    .option('--json', 'print the result as JSON instead of text')
    .addHelpText(
      'after',
      `
Expected rows are derived from the files alone (items joined to orders on orderId, LEFT
JOIN products on itemId = productId), independently of the streaming join. Every
compared field must match; event_ts and the *_arrival_ts trace fields are ignored.
Without --endpoint or AWS settings (AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE…) there is
no table to check: start one with \`kse run --keep\` or \`kse local up\` and use its env lines.`,
    )
    .action(verifyCommand);
}

async function verifyCommand(flags: VerifyFlags, command: Command): Promise<void> {
  const productsPath = resolve(flags.products ?? join(flags.input, 'products.json'));
  const ordersPath = resolve(flags.orders ?? join(flags.input, 'orders.json'));
  for (const [option, path] of [
    ['--products', productsPath],
    ['--orders', ordersPath],
  ] as const) {
    if (!existsSync(path)) command.error(`error: ${option}: no such file ${path}`, { exitCode: 2 });
  }
  const { config, embedded } = resolveAwsConfig({
    ...(flags.endpoint === undefined ? {} : { endpoint: flags.endpoint }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
  });
  if (embedded) {
    command.error(
      'error: no AWS endpoint or settings: pass --endpoint, or export the lines of `kse local env`',
      { exitCode: 2 },
    );
  }
  const deadLettered =
    flags.deadLetters === undefined ? undefined : countLines(flags.deadLetters, command);
  const dynamodb = createDynamoDbClient(config);
  try {
    const result = await verifyTable({
      dynamodb,
      tableName: flags.table,
      productsPath,
      ordersPath,
      examples: flags.examples,
      segments: flags.segments,
      ...(deadLettered === undefined ? {} : { deadLettered }),
    });
    process.stdout.write(
      flags.json ? JSON.stringify(result, null, 2) + '\n' : formatVerdict(result),
    );
    process.exitCode = result.exact ? 0 : 1;
  } finally {
    dynamodb.destroy();
  }
}

function countLines(path: string, command: Command): number {
  if (!existsSync(path))
    command.error(`error: --dead-letters: no such file ${path}`, { exitCode: 2 });
  const text = readFileSync(path, 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '').length;
}
