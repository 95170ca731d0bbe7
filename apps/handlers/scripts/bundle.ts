/**
 * Builds one self-contained ESM bundle per handler (`dist/handlers/<name>/index.mjs`), a zip
 * per handler ready for upload (`dist/zips/<name>.zip`), and a size report
 * (`dist/bundle-report.json`, also printed).
 *
 * Everything is bundled, the pinned AWS SDK v3 clients included, so the functions never depend
 * on the runtime's copy of the SDK.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'tsup';
import { HANDLER_NAMES, type HandlerName } from '../infra/handlerEnvironment.js';
import { zipBundle } from './zipBundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(root, 'dist');

/** What the build reports about one bundle. */
export interface BundleReport {
  name: HandlerName;
  bundle: string;
  zip: string;
  bytes: number;
  gzipBytes: number;
  zipBytes: number;
  /** Imports left external in the bundle: must be Node built-ins only. */
  externalImports: string[];
  /** Bundled bytes per package (npm or workspace), largest first. */
  packages: { package: string; bytes: number }[];
}

// Some CommonJS dependencies call `require()` for Node built-ins; an ESM bundle has no
// `require`, so give it one (named so it cannot clash with bundled identifiers).
const REQUIRE_BANNER = [
  "import { createRequire as __kseCreateRequire } from 'node:module';",
  'const require = __kseCreateRequire(import.meta.url);',
].join('\n');

async function bundleOne(name: HandlerName): Promise<BundleReport> {
  const outDir = path.join(distDir, 'handlers', name);
  const metafiles: Record<string, unknown>[] = [];
  await build({
    entry: { index: path.join(root, 'src', `${name}.ts`) },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    bundle: true,
    splitting: false,
    noExternal: [/.*/],
    minify: true,
    keepNames: true,
    sourcemap: false,
    treeshake: false,
    clean: true,
    dts: false,
    silent: true,
    config: false,
    tsconfig: path.join(root, 'tsconfig.json'),
    outExtension: () => ({ js: '.mjs' }),
    banner: { js: REQUIRE_BANNER },
    metafile: false,
    esbuildOptions(options) {
      // Prefer the ESM builds of dependencies (the AWS SDK ships both) for smaller bundles.
      options.mainFields = ['module', 'main'];
      options.conditions = ['module', 'import', 'node', 'default'];
      options.metafile = true;
      options.legalComments = 'none';
    },
    esbuildPlugins: [
      {
        name: 'kse-metafile',
        setup(pluginBuild) {
          pluginBuild.onEnd((result) => {
            if (result.metafile)
              metafiles.push(result.metafile as unknown as Record<string, unknown>);
          });
        },
      },
    ],
  });

  const bundlePath = path.join(outDir, 'index.mjs');
  const code = await readFile(bundlePath);
  const zipPath = path.join(distDir, 'zips', `${name}.zip`);
  await mkdir(path.dirname(zipPath), { recursive: true });
  const zip = zipBundle(code);
  await writeFile(zipPath, zip);

  const metafile = metafiles[0] as
    | {
        inputs: Record<string, { bytes: number }>;
        outputs: Record<
          string,
          {
            imports: { path: string; external?: boolean }[];
            inputs: Record<string, { bytesInOutput: number }>;
          }
        >;
      }
    | undefined;
  const output = metafile ? Object.values(metafile.outputs)[0] : undefined;
  const externalImports = [
    ...new Set((output?.imports ?? []).filter((i) => i.external).map((i) => i.path)),
  ].sort();
  const perPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const key = packageOf(input);
    perPackage.set(key, (perPackage.get(key) ?? 0) + bytesInOutput);
  }
  return {
    name,
    bundle: path.relative(root, bundlePath),
    zip: path.relative(root, zipPath),
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    zipBytes: zip.length,
    externalImports,
    packages: [...perPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([pkg, bytes]) => ({ package: pkg, bytes })),
  };
}

/** `node_modules/@aws-sdk/client-kinesis/dist-es/x.js` → `@aws-sdk/client-kinesis`; workspace sources by folder. */
function packageOf(input: string): string {
  const marker = 'node_modules/';
  const at = input.lastIndexOf(marker);
  if (at >= 0) {
    const parts = input.slice(at + marker.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const workspace = /(packages|apps)\/([^/]+)\//.exec(input);
  return workspace ? `@kse/${workspace[2]}` : input;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

async function main(): Promise<void> {
  await rm(path.join(distDir, 'zips'), { recursive: true, force: true });
  const reports: BundleReport[] = [];
  // One at a time: the machine is shared, and esbuild is fast enough.
  for (const name of HANDLER_NAMES) reports.push(await bundleOne(name));
  await writeFile(
    path.join(distDir, 'bundle-report.json'),
    `${JSON.stringify(reports, null, 2)}\n`,
  );

  console.log('handler     bundle        gzip          zip           largest inputs');
  for (const r of reports) {
    const largest = r.packages
      .slice(0, 3)
      .map((i) => `${i.package} ${kib(i.bytes)}`)
      .join(', ');
    console.log(
      `${r.name.padEnd(11)} ${kib(r.bytes).padEnd(13)} ${kib(r.gzipBytes).padEnd(13)} ${kib(r.zipBytes).padEnd(13)} ${largest}`,
    );
  }
  const strays = reports.flatMap((r) =>
    r.externalImports.filter((i) => !NODE_BUILTINS.has(i)).map((i) => `${r.name}: ${i}`),
  );
  if (strays.length > 0) {
    throw new Error(`bundles are not self-contained; external imports: ${strays.join(', ')}`);
  }
}

await main();
