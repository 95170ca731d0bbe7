import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { BundleReport } from '../scripts/bundle.js';
import { APP_ROOT, BUNDLE_DIR } from './support/synth.js';

// What `npm run build` wrote (the test target depends on build).
const reports = JSON.parse(
  readFileSync(path.join(APP_ROOT, 'dist', 'bundle-report.json'), 'utf8'),
) as BundleReport[];
const report = (name: string) => reports.find((r) => r.name === name)!;
const packagesOf = (name: string) => report(name).packages.map((p) => p.package);

/** The entries of a zip, read back through its central directory (name → inflated bytes). */
function unzip(zip: Buffer): Record<string, Buffer> {
  return Object.fromEntries(
    Object.entries(unzipSync(zip)).map(([name, data]) => [name, Buffer.from(data)]),
  );
}

describe('handler bundles', () => {
  it('builds exactly one bundle per handler', () => {
    expect(reports.map((r) => r.name)).toEqual(['preprocess', 'enrich', 'sink']);
  });

  it.each(['preprocess', 'enrich', 'sink'])(
    '%s: the asset directory holds index.mjs only',
    (name) => {
      expect(readdirSync(path.join(BUNDLE_DIR, name))).toEqual(['index.mjs']);
    },
  );

  it.each(['preprocess', 'enrich', 'sink'])('%s: imports nothing but Node built-ins', (name) => {
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    expect(report(name).externalImports.filter((i) => !builtins.has(i))).toEqual([]);
    const code = readFileSync(path.join(BUNDLE_DIR, name, 'index.mjs'), 'utf8');
    expect(code).not.toMatch(/from\s*["'](@aws-sdk|@smithy|@kse|zod)/);
  });

  it('carries the pinned SDK clients each handler uses, not the runtime copy', () => {
    expect(packagesOf('preprocess')).toContain('@aws-sdk/client-kinesis');
    expect(packagesOf('enrich')).toEqual(
      expect.arrayContaining([
        '@aws-sdk/client-kinesis',
        '@aws-sdk/client-dynamodb',
        '@aws-sdk/client-s3',
      ]),
    );
    expect(packagesOf('sink')).toEqual(
      expect.arrayContaining(['@aws-sdk/client-kinesis', '@aws-sdk/client-dynamodb']),
    );
  });

  it('leaves clients a handler does not use out of its bundle', () => {
    expect(packagesOf('preprocess')).not.toContain('@aws-sdk/client-s3');
    expect(packagesOf('sink')).not.toContain('@aws-sdk/client-s3');
  });

  it.each(['preprocess', 'enrich', 'sink'])('%s: the zip holds index.mjs byte for byte', (name) => {
    const entries = unzip(readFileSync(path.join(APP_ROOT, report(name).zip)));
    expect(Object.keys(entries)).toEqual(['index.mjs']);
    expect(
      entries['index.mjs']!.equals(readFileSync(path.join(BUNDLE_DIR, name, 'index.mjs'))),
    ).toBe(true);
  });

  it.each(['preprocess', 'enrich', 'sink'])('%s: reports sizes that match the files', (name) => {
    const r = report(name);
    expect(r.bytes).toBe(readFileSync(path.join(BUNDLE_DIR, name, 'index.mjs')).length);
    expect(r.zipBytes).toBe(readFileSync(path.join(APP_ROOT, r.zip)).length);
    expect(r.zipBytes).toBeLessThan(r.bytes);
  });
});
