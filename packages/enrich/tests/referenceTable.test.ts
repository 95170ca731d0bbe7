import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isEnrichError, loadReferenceTable } from '../src/index.js';
import { product } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kse-enrich-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadReferenceTable', () => {
  it('loads a JSON array file indexed by productId', async () => {
    const file = join(dir, 'products.json');
    await writeFile(file, JSON.stringify([product(1, 'Desk'), product(2, 'Lamp')]));
    const table = await loadReferenceTable({ file });
    expect(table.get(2)?.productName).toBe('Lamp');
    expect(table.size).toBe(2);
  });

  it('loads an NDJSON file, skipping blank lines', async () => {
    const file = join(dir, 'products.ndjson');
    await writeFile(
      file,
      `${JSON.stringify(product(1, 'Zoë'))}\n\n${JSON.stringify(product(2))}\n`,
    );
    const table = await loadReferenceTable({ file });
    expect(table.get(1)?.productName).toBe('Zoë');
    expect(table.get(3)).toBeUndefined();
    expect(table.stats.unknownLookups).toBe(1);
  });

  it('fails the first load with KSE_REFERENCE_LOAD_FAILED naming the file', async () => {
    const file = join(dir, 'missing.json');
    const error = await loadReferenceTable({ file }).catch((e: unknown) => e);
    expect(isEnrichError(error) && error.code).toBe('KSE_REFERENCE_LOAD_FAILED');
    expect(isEnrichError(error) && error.source).toBe(file);
  });

  it('fails on an invalid product with its position', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, `${JSON.stringify(product(1))}\n{"productId":"x"}\n`);
    const error = await loadReferenceTable({ file }).catch((e: unknown) => e);
    expect(isEnrichError(error) && error.message).toMatch(/KSE_SCHEMA_INVALID.*@2/);
  });

  it('refreshes when due and keeps the last good copy when a refresh fails', async () => {
    const file = join(dir, 'products.json');
    await writeFile(file, JSON.stringify([product(1, 'Old')]));
    let now = 0;
    const table = await loadReferenceTable({ file, refreshIntervalMs: 1_000, clock: () => now });
    await writeFile(file, JSON.stringify([product(1, 'New')]));
    now = 999;
    await table.refreshIfDue(now);
    expect(table.get(1)?.productName).toBe('Old');
    now = 1_000;
    await table.refreshIfDue(now);
    expect(table.get(1)?.productName).toBe('New');
    await writeFile(file, 'not json');
    now = 2_000;
    await table.refreshIfDue(now);
    expect(table.get(1)?.productName).toBe('New');
    expect(table.stats).toMatchObject({ loads: 2, failedRefreshes: 1 });
    expect(table.stats.lastError?.code).toBe('KSE_REFERENCE_LOAD_FAILED');
  });

  it('never refreshes with refreshIntervalMs -1', async () => {
    const file = join(dir, 'products.json');
    await writeFile(file, JSON.stringify([product(1, 'Old')]));
    const table = await loadReferenceTable({ file, refreshIntervalMs: -1 });
    await writeFile(file, JSON.stringify([product(1, 'New')]));
    await table.refreshIfDue(Number.MAX_SAFE_INTEGER);
    expect(table.get(1)?.productName).toBe('Old');
  });
});
