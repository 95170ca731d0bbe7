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
/** A bundle directory's files: the entry, then what it reads on first use (enrich: S3 too). */
const filesOf = (name: string) =>
  name === 'enrich'
    ? ['index.mjs', 'credentials.mjs', 's3.mjs', 'tracer.mjs']
    : ['index.mjs', 'credentials.mjs', 'tracer.mjs'];

/** The entries of a zip, read back through its central directory (name → inflated bytes). */
function unzip(zip: Buffer): Record<string, Buffer> {
  return Object.fromEntries(
    Object.entries(unzipSync(zip)).map(([name, data]) => [name, Buffer.from(data)]),
  );
}

describe('handler bundles', () => {
  it('builds exactly one bundle per handler', () => {
    expect(reports.map((r) => r.name)).toEqual(['preprocess', 'enrich', 'sink', 'sweeper']);
  });

  it.each(['preprocess', 'enrich', 'sink', 'sweeper'])(
    '%s: the asset directory holds index.mjs and the files it reads on first use, as the report lists them',
    (name) => {
      expect(readdirSync(path.join(BUNDLE_DIR, name)).sort()).toEqual([...filesOf(name)].sort());
      expect(report(name).files.map((f) => [f.file, f.loadedAt])).toEqual(
        filesOf(name).map((file) => [file, file === 'index.mjs' ? 'start' : 'first-use']),
      );
    },
  );

  it.each(['preprocess', 'enrich', 'sink', 'sweeper'])(
    '%s: imports nothing but Node built-ins and its own files',
    (name) => {
      const allowed = new Set([
        ...builtinModules,
        ...builtinModules.map((m) => `node:${m}`),
        './tracer.mjs',
        './credentials.mjs',
        ...(name === 'enrich' ? ['./s3.mjs'] : []),
      ]);
      expect(report(name).externalImports.filter((i) => !allowed.has(i))).toEqual([]);
      for (const file of filesOf(name)) {
        const code = readFileSync(path.join(BUNDLE_DIR, name, file), 'utf8');
        expect(code).not.toMatch(/from\s*["'](@aws-sdk|@smithy|@kse|@aws-lambda-powertools|zod)/);
      }
    },
  );

  it.each(['preprocess', 'enrich', 'sink', 'sweeper'])(
    '%s: keeps Powertools Tracer and the X-Ray SDK out of the entry, behind import("./tracer.mjs")',
    (name) => {
      const entry = readFileSync(path.join(BUNDLE_DIR, name, 'index.mjs'), 'utf8');
      const tracer = readFileSync(path.join(BUNDLE_DIR, name, 'tracer.mjs'), 'utf8');
      expect(entry).toContain('import("./tracer.mjs")');
      // The X-Ray SDK reads its daemon's address from this variable: a marker of its code.
      expect(entry).not.toContain('AWS_XRAY_DAEMON_ADDRESS');
      expect(tracer).toContain('AWS_XRAY_DAEMON_ADDRESS');
      expect(report(name).lazyPackages.map((p) => p.package)).toEqual(
        expect.arrayContaining(['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core']),
      );
    },
  );

  it.each(['preprocess', 'enrich', 'sink', 'sweeper'])(
    '%s: keeps the credential providers past the environment out of the entry, behind import("./credentials.mjs")',
    (name) => {
      const entry = readFileSync(path.join(BUNDLE_DIR, name, 'index.mjs'), 'utf8');
      expect(entry).toContain('import("./credentials.mjs")');
      // The container provider's variable and the STS client behind web identity and profiles.
      expect(entry).not.toContain('AWS_CONTAINER_AUTHORIZATION_TOKEN');
      expect(entry).not.toContain('AssumeRoleWithWebIdentity');
      expect(report(name).lazyPackages.map((p) => p.package)).toEqual(
        expect.arrayContaining([
          '@aws-sdk/credential-provider-ini',
          '@aws-sdk/credential-provider-sso',
          '@aws-sdk/nested-clients',
        ]),
      );
    },
  );

  it('enrich reads the S3 client on first use, from s3.mjs: its entry has none of S3', () => {
    const entry = readFileSync(path.join(BUNDLE_DIR, 'enrich', 'index.mjs'), 'utf8');
    const s3 = readFileSync(path.join(BUNDLE_DIR, 'enrich', 's3.mjs'), 'utf8');
    expect(entry).toContain('import("./s3.mjs")');
    // S3's service id and its path-style option: markers of the S3 client's code.
    for (const marker of ['AmazonS3', 'forcePathStyle']) {
      expect(entry).not.toContain(marker);
      expect(s3).toContain(marker);
    }
    expect(report('enrich').lazyPackages.map((p) => p.package)).toContain('@aws-sdk/client-s3');
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

  it.each(['preprocess', 'enrich', 'sink', 'sweeper'])(
    '%s: the zip holds the bundle’s files byte for byte',
    (name) => {
      const entries = unzip(readFileSync(path.join(APP_ROOT, report(name).zip)));
      expect(Object.keys(entries)).toEqual([...filesOf(name)].sort());
      for (const file of Object.keys(entries)) {
        expect(entries[file]!.equals(readFileSync(path.join(BUNDLE_DIR, name, file)))).toBe(true);
      }
    },
  );

  it.each(['preprocess', 'enrich', 'sink', 'sweeper'])(
    '%s: reports sizes that match the files',
    (name) => {
      const r = report(name);
      const size = (file: string) => readFileSync(path.join(BUNDLE_DIR, name, file)).length;
      expect(r.bytes).toBe(size('index.mjs'));
      const lazy = filesOf(name).filter((file) => file !== 'index.mjs');
      expect(r.lazyBytes).toBe(lazy.reduce((total, file) => total + size(file), 0));
      expect(r.files.map((f) => f.bytes)).toEqual(filesOf(name).map(size));
      expect(r.zipBytes).toBe(readFileSync(path.join(APP_ROOT, r.zip)).length);
      expect(r.zipBytes).toBeLessThan(r.bytes + r.lazyBytes);
    },
  );
});
