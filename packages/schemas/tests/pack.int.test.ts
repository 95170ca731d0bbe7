import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Checks what is published, not the source: `npm pack` the built package, install the
// tarball into a fresh project, then import it as ESM and require it as CJS.
const packageDir = resolve(import.meta.dirname, '..');
const sample = JSON.stringify({
  orderId: 10000001,
  orderAmount: 1.5,
  orderStatus: 'New',
  orderDateTime: '2026-01-01T00:00:00.000Z',
  shipToName: 'Zoë Ångström 東京',
  shipToAddress: '1 Main Street',
  shipToCity: 'Seattle',
  shipToState: 'WA',
  shipToZip: '98101',
  recordType: 'Order',
});

let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'kse-schemas-pack-'));
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', project], {
    cwd: packageDir,
    encoding: 'utf8',
  });
  const [{ filename, files }] = JSON.parse(packed) as [
    { filename: string; files: { path: string }[] },
  ];
  expect(
    files
      .map((file) => file.path)
      .every(
        (path) =>
          path.startsWith('dist/') || ['package.json', 'README.md', 'LICENSE'].includes(path),
      ),
  ).toBe(true);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(project, filename)],
    {
      cwd: project,
      stdio: 'pipe',
    },
  );
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

const script = (body: string): string => body.replace('SAMPLE', JSON.stringify(sample));

describe('the packed @kse/schemas tarball', () => {
  it('imports as ESM and decodes a record', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      script(`import { decodeRecord, encodeRecord } from '@kse/schemas';
const order = decodeRecord(encodeRecord(JSON.parse(SAMPLE)));
let code;
try { decodeRecord('{'); } catch (e) { code = e.code; }
console.log(JSON.stringify({ name: order.shipToName, code }));`),
    );
    const out = execFileSync('node', ['esm.mjs'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ name: 'Zoë Ångström 東京', code: 'KSE_JSON_INVALID' });
  });

  it('requires as CJS and decodes a record', () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      script(`const { decodeRecord, LIMITS } = require('@kse/schemas');
const order = decodeRecord(Buffer.from(SAMPLE));
console.log(JSON.stringify({ id: order.orderId, max: LIMITS.kinesisMaxRecordBytes }));`),
    );
    const out = execFileSync('node', ['cjs.cjs'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ id: 10000001, max: 1048576 });
  });
});
