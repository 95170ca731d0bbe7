import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  DEFAULT_DATASET_OPTIONS,
  DEFAULT_GENERATOR_OPTIONS,
  generateDataset,
  isGeneratorError,
  isS3Uri,
  type DatasetPart,
  type DmsGeneratedOperation,
  type GenerateDatasetOptions,
  type GenerateDatasetResult,
  type GenerateProgress,
  type OutputFormat,
} from '@kse/generator';
import { createS3Client } from '@kse/local-stack';
import { addAwsOptions, resolveTarget, selectAws, type AwsFlags } from './awsOptions.js';
import { EXIT_CODES } from './exitCodes.js';
import { onInterrupt } from './interrupt.js';
import { rewriteSampleFlags } from './sampleFlags.js';
import { terminalColumns, writeFitted } from '../report/index.js';

interface GenerateFlags extends AwsFlags {
  products: number;
  orders: number;
  itemsPerOrder: number;
  maxQuantity: number;
  productStartId: number;
  orderStartId: number;
  seed: string;
  start: string;
  rate: number;
  only?: DatasetPart;
  out: string;
  gzip: boolean;
  format: OutputFormat;
  dmsOperation: DmsGeneratedOperation;
  progress: boolean;
}

/**
 * The single-dash flags of the sample's Java generator and the kse flags they stand for.
 * `-launchType products|orders` writes one file, as the sample did.
 */
export const GENERATE_SAMPLE_FLAGS: Readonly<Record<string, string>> = {
  '-launchType': '--only',
  '-productCount': '--products',
  '-orderCount': '--orders',
  '-productStartId': '--product-start-id',
  '-orderStartId': '--order-start-id',
};

/** Library option names → the flag a user typed, for error messages. */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  products: '--products',
  orders: '--orders',
  itemsPerOrder: '--items-per-order',
  maxItemQuantity: '--max-quantity',
  productStartId: '--product-start-id',
  orderStartId: '--order-start-id',
  seed: '--seed',
  start: '--start',
  rate: '--rate',
  only: '--only',
  outDir: '--out',
  stream: '--out',
  s3Client: '--out',
  format: '--format',
  dmsOperation: '--dms-operation',
};

/** Rewrites the sample's flags (`-orderCount 5`, `-orderCount=5`) to kse's; the rest is left as is. */
export function normalizeGenerateSampleFlags(argv: readonly string[]): string[] {
  return rewriteSampleFlags(argv, GENERATE_SAMPLE_FLAGS);
}

function integer(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(
        value.trim().startsWith('-')
          ? `must not be negative (got ${value})`
          : `must be a whole number (got ${value})`,
      );
    }
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`must be an integer ≥ ${min} (got ${value})`);
    }
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`must be a number > 0 (got ${value})`);
  }
  return n;
}

const count = new Intl.NumberFormat('en-US');
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** A one-line progress bar with rate, redrawn in place on a terminal. */
export function formatProgressBar(
  progress: GenerateProgress,
  elapsedMs: number,
  width = 24,
): string {
  const fraction =
    progress.totalLines === 0 ? 1 : Math.min(progress.lines / progress.totalLines, 1);
  const filled = Math.round(fraction * width);
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  return (
    `${progress.part.padEnd(8)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` +
    `${String(Math.floor(fraction * 100)).padStart(3)}% ` +
    `${count.format(progress.lines)}/${count.format(progress.totalLines)} lines · ` +
    `${count.format(Math.round(progress.lines / seconds))} lines/s · ` +
    `${decimal.format(progress.bytes / 1e6 / seconds)} MB/s`
  );
}

/** The summary printed (on stderr) when generation is done. */
export function formatSummary(result: GenerateDatasetResult, elapsedMs: number): string {
  const parts: string[] = [];
  if (result.files.products !== undefined) {
    parts.push(`${result.files.products}: ${count.format(result.counts.products)} products`);
  }
  if (result.files.orders !== undefined) {
    parts.push(
      `${result.files.orders}: ${count.format(result.counts.orders)} orders, ` +
        `${count.format(result.counts.items)} items`,
    );
  }
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const lines = [
    `generated ${parts.join('; ')} (${count.format(result.counts.lines)} lines in ` +
      `${decimal.format(seconds)} s, ${count.format(Math.round(result.counts.lines / seconds))} lines/s)`,
  ];
  for (const [part, hash] of Object.entries(result.sha256 ?? {})) {
    lines.push(`sha256 ${part} ${hash}`);
  }
  return lines.join('\n');
}

/**
 * `kse generate`: deterministic products and orders (NDJSON or DMS records) to a
 * directory, stdout or S3. Also accepts the sample generator's single-dash flags.
 */
export function registerGenerate(program: Command): void {
  const d = DEFAULT_GENERATOR_OPTIONS;
  const command = program
    .command('generate')
    .description('Generate deterministic products and orders (NDJSON) to a directory, stdout or S3')
    .option('--products <n>', 'number of products (sample: -productCount)', integer(0), d.products)
    .option('--orders <n>', 'number of orders (sample: -orderCount)', integer(0), d.orders)
    .option(
      '--items-per-order <n>',
      'items per order, each a distinct product (≤ --products)',
      integer(1),
      d.itemsPerOrder,
    )
    .option('--max-quantity <n>', 'item quantity drawn from 1..n', integer(1), d.maxItemQuantity)
    .option(
      '--product-start-id <id>',
      'first product id (sample: -productStartId)',
      integer(1),
      d.productStartId,
    )
    .option(
      '--order-start-id <id>',
      'first order id (sample: -orderStartId)',
      integer(1),
      d.orderStartId,
    )
    .option('--seed <seed>', 'seed: same seed and flags give the same bytes', d.seed)
    .option('--start <iso>', 'orderDateTime of the first order (ISO-8601 instant)', d.start)
    .option('--rate <orders/s>', 'orders per second of event time', positiveNumber, d.rate)
    .addOption(
      new Option('--only <part>', 'write one file only (sample: -launchType)').choices([
        'products',
        'orders',
      ]),
    )
    .option(
      '--out <dir|s3://bucket/prefix/|->',
      'output directory, S3 prefix, or - for stdout',
      '.',
    )
    .option('--gzip', 'gzip the output (adds .gz)', false)
    .addOption(
      new Option('--format <format>', 'json: kse records; dms: AWS DMS Kinesis-target records')
        .choices(['json', 'dms'])
        .default(DEFAULT_DATASET_OPTIONS.format),
    )
    .addOption(
      new Option('--dms-operation <op>', 'metadata.operation of DMS records')
        .choices(['load', 'insert'])
        .default(DEFAULT_DATASET_OPTIONS.dmsOperation),
    )
    .option('--no-progress', 'no progress bar (there is none off a terminal anyway)');
  addAwsOptions(command, 'AWS region for s3:// output')
    .addHelpText(
      'after',
      `
Writes products.json and orders.json (each order line followed by its item
lines) into --out. Files appear under their final names only when complete.
An s3:// --out goes to the \`kse local up\` stack (--target local, the
default), to --endpoint-url, or to an account (--target aws); the bucket must
exist.

The sample's single-dash flags work too:
  kse generate -launchType products -productCount 1000
  kse generate -launchType orders -orderCount 500000
Other examples:
  kse generate --orders 500000 --out data --gzip
  kse generate --only orders --orders 10 --out - | head
The sample's bucket layout (what kse run writes, and kse replay --bucket reads):
  kse generate --only products --out s3://my-bucket/products/ --endpoint-url …
  kse generate --only orders --out s3://my-bucket/orders/ --endpoint-url …`,
    )
    .action(async (flags: GenerateFlags, cmd: Command) => {
      process.exitCode = await runGenerate(flags, cmd);
    });
  // Commander has no multi-letter single-dash flags: rewrite the sample's first.
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (argv: string[]) => parseOptions(normalizeGenerateSampleFlags(argv));
}

async function runGenerate(flags: GenerateFlags, cmd: Command): Promise<number> {
  const usage = (message: string): never => {
    cmd.error(`error: ${message}`, { exitCode: 2 });
    throw new Error(message); // not reached: cmd.error throws
  };
  const toStdout = flags.out === '-';
  if (toStdout && flags.only === undefined) {
    usage('--out - (stdout) needs --only products or --only orders');
  }
  const options: GenerateDatasetOptions = {
    products: flags.products,
    orders: flags.orders,
    itemsPerOrder: flags.itemsPerOrder,
    maxItemQuantity: flags.maxQuantity,
    productStartId: flags.productStartId,
    orderStartId: flags.orderStartId,
    seed: flags.seed,
    start: flags.start,
    rate: flags.rate,
    gzip: flags.gzip,
    format: flags.format,
    dmsOperation: flags.dmsOperation,
    ...(flags.only === undefined ? {} : { only: flags.only }),
    ...(toStdout ? { stream: process.stdout } : { outDir: flags.out }),
  };

  let s3: ReturnType<typeof createS3Client> | undefined;
  if (isS3Uri(flags.out)) {
    const target = resolveTarget(selectAws(flags, 'kse generate'), true);
    if (target.kind === 'embedded') {
      usage(
        '--out s3://… needs --endpoint-url, --target aws or a running `kse local up` stack: ' +
          'an embedded local stack would be gone when this command ends',
      );
      return EXIT_CODES.usage; // not reached: usage throws
    }
    s3 = createS3Client(target.config);
    options.s3Client = s3;
  }

  const showProgress = flags.progress && process.stderr.isTTY === true;
  const started = performance.now();
  let lastDraw = 0;
  if (showProgress) {
    options.onProgress = (progress) => {
      const now = performance.now();
      if (now - lastDraw < 100 && progress.lines < progress.totalLines) return;
      lastDraw = now;
      const bar = formatProgressBar(progress, now - started);
      process.stderr.write(`\r${bar.slice(0, terminalColumns(process.stderr) - 1)}\u001b[K`);
    };
  }
  // Ctrl-C stops cleanly: partial files are removed, uploads aborted.
  const interrupt = onInterrupt();
  options.signal = interrupt.signal;
  try {
    const result = await generateDataset(options);
    if (showProgress) process.stderr.write('\n');
    writeFitted(process.stderr, `${formatSummary(result, performance.now() - started)}\n`);
    return 0;
  } catch (error) {
    if (showProgress) process.stderr.write('\n');
    if (isGeneratorError(error)) {
      if (error.option !== undefined) {
        return usage(`${FLAG_OF_OPTION[error.option] ?? error.option}: ${error.reason}`);
      }
      // Partial files are gone; say so with the interrupt (runCli prints it, exit 130).
      if (interrupt.signal.aborted) {
        throw interrupt.interrupted('partial files removed; nothing left running');
      }
    }
    throw error;
  } finally {
    interrupt.dispose();
    s3?.destroy();
  }
}
