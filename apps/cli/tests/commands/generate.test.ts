import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeRecord, isDmsRecord } from '@kse/schemas';
import {
  formatProgressBar,
  normalizeGenerateSampleFlags,
  registerGenerate,
} from '../../src/commands/generate.js';

// The command is driven on its own program, with the same exit-code mapping as
// program.ts (usage errors → 2), so these tests do not depend on the other commands.
async function kse(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const program = new Command('kse').exitOverride();
  registerGenerate(program);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
  let code: number;
  let written = { stderr: '', stdout: '' };
  try {
    await program.parseAsync(args, { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : 2;
  } finally {
    process.exitCode = undefined;
    // Read the calls before mockRestore, which clears them.
    written = { stderr: stderr.mock.calls.join(''), stdout: stdout.mock.calls.join('') };
    stderr.mockRestore();
    stdout.mockRestore();
  }
  return { code, ...written };
}

let dir: string;
const cwd = process.cwd();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kse-generate-cli-'));
});
afterEach(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

const lines = async (path: string): Promise<string[]> =>
  (await readFile(path, 'utf8')).split('\n').slice(0, -1);

describe('kse generate', () => {
  it("accepts the sample's flags and writes products.json in the working directory", async () => {
    process.chdir(dir);
    const result = await kse(['generate', '-launchType', 'products', '-productCount', '5']);
    expect(result.code).toBe(0);
    expect(await readdir(dir)).toEqual(['products.json']);
    const products = (await lines(join(dir, 'products.json'))).map(
      (l) => JSON.parse(l) as { productId: number },
    );
    expect(products.map((p) => p.productId)).toEqual([
      999900001, 999900002, 999900003, 999900004, 999900005,
    ]);
  });

  it("accepts the sample's order flags, start ids included, and writes orders.json only", async () => {
    process.chdir(dir);
    const result = await kse([
      'generate',
      '-launchType=orders',
      '-orderCount',
      '3',
      '-orderStartId',
      '500',
      '-productStartId',
      '7',
      '-productCount',
      '10',
    ]);
    expect(result.code).toBe(0);
    expect(await readdir(dir)).toEqual(['orders.json']);
    const records = (await lines(join(dir, 'orders.json'))).map((l) => decodeRecord(l));
    expect(records).toHaveLength(9);
    expect(records.map((r) => (isDmsRecord(r) ? 0 : r.orderId))).toEqual([
      500, 500, 500, 501, 501, 501, 502, 502, 502,
    ]);
    for (const record of records) {
      if (!isDmsRecord(record) && record.recordType === 'OrderItem') {
        expect(record.itemId).toBeGreaterThanOrEqual(7);
        expect(record.itemId).toBeLessThan(17);
      }
    }
  });

  it('writes the same bytes for the sample flags as for the kse flags', async () => {
    await kse(['generate', '--out', join(dir, 'a'), '--only', 'orders', '--orders', '20']);
    process.chdir(dir);
    await kse(['generate', '-launchType', 'orders', '-orderCount', '20']);
    expect(await readFile(join(dir, 'orders.json'))).toEqual(
      await readFile(join(dir, 'a', 'orders.json')),
    );
  });

  it('writes both files into --out and prints a summary with the hashes, without a bar off a terminal', async () => {
    const result = await kse([
      'generate',
      '--out',
      dir,
      '--orders',
      '100',
      '--products',
      '50',
      '--seed',
      'pinned',
    ]);
    expect(result.code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['orders.json', 'products.json']);
    // The same hashes as the library's pinned test: the CLI adds nothing to the bytes.
    expect(result.stderr).toContain(
      'sha256 products 65e8670142f718dc063d113ff8d27f84175cb8ea80cbf52f6e26c5bd15363162',
    );
    expect(result.stderr).toContain(
      'sha256 orders 7df4b16f02a98919c0c72406b597c86fe8db32d13c8a659f7b276a4435b6004c',
    );
    expect(result.stderr).toMatch(/100 orders, 200 items/);
    expect(result.stderr).not.toContain('\r');
    expect(result.stdout).toBe('');
  });

  it('writes DMS records with --format dms', async () => {
    const result = await kse([
      'generate',
      '--out',
      dir,
      '--orders',
      '5',
      '--format',
      'dms',
      '--dms-operation',
      'insert',
    ]);
    expect(result.code).toBe(0);
    const records = (await lines(join(dir, 'orders.json'))).map((l) => decodeRecord(l));
    expect(records.every(isDmsRecord)).toBe(true);
    expect(records.map((r) => (isDmsRecord(r) ? r.metadata['table-name'] : ''))).toEqual(
      Array.from({ length: 5 }, () => ['orders', 'order_items', 'order_items']).flat(),
    );
  });

  it('lists its flags, the sample flags among them, on --help', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const program = new Command('kse').exitOverride();
    registerGenerate(program);
    await expect(program.parseAsync(['generate', '--help'], { from: 'user' })).rejects.toThrow();
    const help = stdout.mock.calls.join('');
    stdout.mockRestore();
    for (const flag of [
      '--orders <n>',
      '--items-per-order <n>',
      '--seed',
      '--start',
      '--rate',
      '--gzip',
      '--format',
      '-launchType',
      '-orderCount',
    ]) {
      expect(help).toContain(flag);
    }
  });
});

describe('kse generate on bad input', () => {
  it.each([
    [['--orders', '-5'], /--orders <n>.*must not be negative/],
    [['-orderCount', 'ten'], /--orders <n>.*must be a whole number/],
    [['--products', '1.5'], /--products <n>.*must be a whole number/],
    [['--items-per-order', '0'], /--items-per-order <n>.*must be an integer ≥ 1/],
    [['--rate', '0'], /--rate.*must be a number > 0/],
    [
      ['--products', '2', '--items-per-order', '3'],
      /--items-per-order: 3 items per order need at least 3 distinct products/,
    ],
    [['--start', 'yesterday'], /--start: must be an ISO-8601 instant/],
    [['--format', 'csv'], /--format <format>.*Allowed choices are json, dms/],
    [['-launchType', 'everything'], /--only <part>.*Allowed choices are products, orders/],
    [['--out', '-'], /--out - \(stdout\) needs --only/],
  ])('exits 2 naming the flag, and writes nothing, for %j', async (args, message) => {
    const out = join(dir, 'out');
    const result = await kse(['generate', '--out', out, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });

  it('exits 2 on an unwritable --out, leaving no file', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const result = await kse(['generate', '--out', join(dir, 'a-file', 'sub'), '--orders', '10']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--out: cannot write .*a-file.*ENOTDIR/);
    expect(await readdir(dir)).toEqual(['a-file']);
  });

  it('exits 2 when --out is s3:// and no endpoint or AWS settings are given', async () => {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    try {
      const result = await kse(['generate', '--out', 's3://bucket/prefix/', '--orders', '1']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--out s3:\/\/… needs --endpoint/);
    } finally {
      Object.assign(process.env, saved);
    }
  });
});

describe('generate helpers', () => {
  it('rewrites the sample flags and leaves the others, and anything after --, alone', () => {
    expect(
      normalizeGenerateSampleFlags([
        '-launchType',
        'orders',
        '-orderCount=5',
        '--seed',
        'x',
        '--',
        '-orderCount',
      ]),
    ).toEqual(['--only', 'orders', '--orders=5', '--seed', 'x', '--', '-orderCount']);
  });

  it('draws a progress bar with the rate', () => {
    expect(
      formatProgressBar(
        { part: 'orders', lines: 750_000, totalLines: 1_500_000, bytes: 150_000_000 },
        2500,
        10,
      ),
    ).toBe('orders   [#####-----]  50% 750,000/1,500,000 lines · 300,000 lines/s · 60 MB/s');
  });
});
