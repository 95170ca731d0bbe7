import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumerProject,
  exportTargets,
  listPublishablePackages,
  packPackage,
  publishTarball,
  runNpm,
  startRegistry,
  writePublishUserConfig,
} from '../src/index.js';
import type { ConsumerProject, PackedPackage, PublishablePackage, Registry } from '../src/index.js';
import {
  CJS_SOURCE,
  ESM_SOURCE,
  EXPECTED_HARNESS_OUTPUT,
  EXPECTED_OUTPUT,
  HARNESS_CJS_SOURCE,
  HARNESS_ESM_SOURCE,
  HARNESS_TS_SOURCE,
  TS_SOURCE,
} from './consumerSources.js';

// The path a team takes: publish every @kse/* package to a private registry, then, in a
// project that knows nothing of this repository, install from that registry and use it.
// Nx builds the packages first (they are devDependencies of this tool).
const workspaceRoot = resolve(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const typesNodeVersion = (require('@types/node/package.json') as { version: string }).version;
const CONSUMED = '@kse/enrich';
/** Installed too, for its `testing` subpath (the vitest harness). */
const HARNESS = '@kse/local-stack';

let work: string | undefined;
let registry: Registry | undefined;
let packages: PublishablePackage[] = [];
const packed: PackedPackage[] = [];
let consumer: ConsumerProject;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kse-registry-e2e-'));
  registry = await startRegistry();
  packages = await listPublishablePackages(workspaceRoot);
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs);
  for (const pkg of packages) packed.push(await packPackage(pkg.dir, tarballs));
  const userConfig = await writePublishUserConfig(join(work, 'publish.npmrc'), registry.url);
  for (const tarball of packed) {
    await publishTarball(tarball.tarball, registry.url, userConfig, work);
  }
  const version = (name: string) =>
    packages.find((pkg) => pkg.manifest.name === name)!.manifest.version;
  consumer = await createConsumerProject({
    dir: join(work, 'consumer'),
    registryUrl: registry.url,
    scope: '@kse',
    install: [
      `${CONSUMED}@${version(CONSUMED)}`,
      `${HARNESS}@${version(HARNESS)}`,
      `@types/node@${typesNodeVersion}`,
    ],
  });
});

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('publishing every @kse package to a private registry', () => {
  it('publishes every non-private package under packages/ at its workspace version', async () => {
    expect(packages.length).toBeGreaterThan(0);
    for (const pkg of packages) {
      const { stdout } = await runNpm(
        ['view', pkg.manifest.name, 'versions', '--json', '--registry', registry!.url],
        { cwd: work! },
      );
      expect({ name: pkg.manifest.name, versions: JSON.parse(stdout) }).toEqual({
        name: pkg.manifest.name,
        versions: expect.arrayContaining([pkg.manifest.version]),
      });
    }
  });

  it('ships in each tarball every file its exports map points to', () => {
    for (const [index, pkg] of packages.entries()) {
      const targets = exportTargets(pkg.manifest.exports).map((target) =>
        target.replace(/^\.\//, ''),
      );
      const missing = targets.filter((target) => !packed[index]!.files.includes(target));
      expect({ name: pkg.manifest.name, missing }).toEqual({
        name: pkg.manifest.name,
        missing: [],
      });
    }
  });

  it('refuses an anonymous publish outside the @kse scope', async () => {
    // Verdaccio answers 401 to an anonymous user without the publish permission.
    const dir = join(work!, 'outsider');
    await mkdir(dir);
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'kse-e2e-outsider', version: '1.0.0' }),
    );
    const userConfig = join(work!, 'publish.npmrc');
    await expect(publishTarball(dir, registry!.url, userConfig, work!)).rejects.toThrow(
      /E401|E403/,
    );
  });

  it('installs @kse packages from the private registry and the rest from the default one', () => {
    const kse = Object.entries(consumer.installed).filter(([path]) =>
      path.startsWith('node_modules/@kse/'),
    );
    // @kse/core and @kse/schemas come along as dependencies of @kse/enrich.
    expect(kse.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        `node_modules/${CONSUMED}`,
        'node_modules/@kse/core',
        'node_modules/@kse/schemas',
        `node_modules/${HARNESS}`,
      ]),
    );
    for (const [, entry] of kse)
      expect(entry.resolved?.slice(0, registry!.url.length)).toBe(registry!.url);
    const others = Object.entries(consumer.installed).filter(
      ([path]) => !path.startsWith('node_modules/@kse/'),
    );
    expect(others.length).toBeGreaterThan(0);
    for (const [, entry] of others) expect(entry.resolved).not.toContain(registry!.url);
  });
});

describe('a fresh consumer project', () => {
  it('imports @kse/enrich from an ES module and joins and looks up a handful of records', async () => {
    await writeFile(join(consumer.dir, 'esm.mjs'), ESM_SOURCE);
    const { stdout } = await runNpm(['esm.mjs'], { cwd: consumer.dir, command: process.execPath });
    console.log(`consumer (esm): ${stdout.trim()}`);
    expect(JSON.parse(stdout)).toEqual({ module: 'esm', ...EXPECTED_OUTPUT });
  });

  it('requires @kse/enrich from a CommonJS module and joins and looks up a handful of records', async () => {
    await writeFile(join(consumer.dir, 'cjs.cjs'), CJS_SOURCE);
    const { stdout } = await runNpm(['cjs.cjs'], { cwd: consumer.dir, command: process.execPath });
    console.log(`consumer (cjs): ${stdout.trim()}`);
    expect(JSON.parse(stdout)).toEqual({ module: 'cjs', ...EXPECTED_OUTPUT });
  });

  it('imports @kse/local-stack/testing from an ES module and runs the harness with the emulators in a child process', async () => {
    await writeFile(join(consumer.dir, 'harness.mjs'), HARNESS_ESM_SOURCE);
    const { stdout } = await runNpm(['harness.mjs'], {
      cwd: consumer.dir,
      command: process.execPath,
    });
    console.log(`harness consumer (esm): ${stdout.trim()}`);
    expect(JSON.parse(stdout)).toEqual({
      module: 'esm',
      mode: 'child-process',
      ...EXPECTED_HARNESS_OUTPUT,
    });
  });

  it('requires @kse/local-stack/testing from a CommonJS module and runs the harness with the emulators in-process', async () => {
    await writeFile(join(consumer.dir, 'harness.cjs'), HARNESS_CJS_SOURCE);
    const { stdout } = await runNpm(['harness.cjs'], {
      cwd: consumer.dir,
      command: process.execPath,
    });
    console.log(`harness consumer (cjs): ${stdout.trim()}`);
    expect(JSON.parse(stdout)).toEqual({
      module: 'cjs',
      mode: 'in-process',
      ...EXPECTED_HARNESS_OUTPUT,
    });
  });

  it.each([
    {
      resolution: 'nodenext',
      module: 'nodenext',
      files: {
        'consumer.mts': TS_SOURCE,
        'consumer.cts': TS_SOURCE,
        'harness.mts': HARNESS_TS_SOURCE,
        'harness.cts': HARNESS_TS_SOURCE,
      },
    },
    {
      resolution: 'bundler',
      module: 'esnext',
      files: { 'consumer.ts': TS_SOURCE, 'harness.ts': HARNESS_TS_SOURCE },
    },
  ])(
    'type-checks a TypeScript consumer with moduleResolution $resolution',
    async ({ resolution, module, files }) => {
      const dir = join(consumer.dir, `ts-${resolution}`);
      await mkdir(dir);
      for (const [name, source] of Object.entries(files)) await writeFile(join(dir, name), source);
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'es2022',
            module,
            moduleResolution: resolution,
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ['node'],
          },
          files: Object.keys(files),
        }),
      );
      const result = await runNpm([tsc, '-p', join(dir, 'tsconfig.json')], {
        cwd: dir,
        command: process.execPath,
      }).then(
        () => 'ok',
        (error: Error) => error.message,
      );
      expect(result).toBe('ok');
    },
  );
});
