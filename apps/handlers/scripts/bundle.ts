/**
 * Builds one self-contained ESM bundle per handler (`dist/handlers/<name>/index.mjs`), a zip
 * per handler ready for upload (`dist/zips/<name>.zip`), and a size report
 * (`dist/bundle-report.json`, also printed).
 *
 * Everything is bundled, the pinned AWS SDK v3 clients included, so the functions never depend
 * on the runtime's copy of the SDK. What a handler reads only on first use sits in files of its
 * own beside the entry ({@link LAZY_FILES}): Powertools Tracer (`tracer.mjs`), read only where
 * tracing is on, and the credential providers past the environment (`credentials.mjs`).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { BUNDLE_NAMES, type BundleName } from '../infra/handlerEnvironment.js';
import { BUNDLE_ENTRY, zipBundle } from './zipBundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(root, 'dist');

/** One file of a handler's bundle directory, and when the runtime reads it. */
export interface BundleFile {
  /** File name inside `dist/handlers/<name>/`. */
  file: string;
  bytes: number;
  /** `start`: the entry and what it imports statically; `first-use`: reached only by `import()`. */
  loadedAt: 'start' | 'first-use';
}

/** What the build reports about one bundle. */
export interface BundleReport {
  name: BundleName;
  /** The entry file Lambda loads (`index.handler`). */
  bundle: string;
  zip: string;
  /** Bytes read at cold start: the entry and the chunks it imports statically. */
  bytes: number;
  /** Gzip size of the files read at cold start. */
  gzipBytes: number;
  /** Bytes of the chunks read only when a dynamic import runs (Powertools Tracer when tracing is on). */
  lazyBytes: number;
  zipBytes: number;
  /** Every file of the bundle directory, entry first; the zip holds exactly these. */
  files: BundleFile[];
  /** Imports left external in the bundle: must be Node built-ins only. */
  externalImports: string[];
  /** Bundled bytes per package (npm or workspace) over every file, largest first. */
  packages: { package: string; bytes: number }[];
  /** Packages only in the files read on first use, largest first. */
  lazyPackages: { package: string; bytes: number }[];
}

// Some CommonJS dependencies call `require()` for Node built-ins; an ESM bundle has no
// `require`, so give it one (named so it cannot clash with bundled identifiers).
const REQUIRE_BANNER = [
  "import { createRequire as __kseCreateRequire } from 'node:module';",
  'const require = __kseCreateRequire(import.meta.url);',
].join('\n');

/** The part of esbuild's metafile the report reads. */
interface Metafile {
  outputs: Record<
    string,
    {
      entryPoint?: string;
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, { bytesInOutput: number }>;
    }
  >;
}

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** A file a bundle directory holds beside its entry, read only on first use. */
export interface LazyFile {
  /** Its name in the bundle directory. */
  file: string;
  /** What it is built from, in `src/`. */
  source: string;
  /** The bundles that have it; default every one. */
  bundles?: readonly BundleName[];
  /** The specifiers of the `import()`s pointed at it. */
  imports: RegExp;
  /** Where those `import()`s must be (their importer's path); default anywhere. */
  from?: RegExp;
}

/**
 * The files bundle directories hold beside their entries, each read only on first use: the
 * `import()`s in the entry's code that a file's `imports` (and `from`) match are pointed at
 * `./<file>`, built from `src/<source>`.
 */
export const LAZY_FILES: readonly LazyFile[] = [
  // Powertools Tracer pulls in the X-Ray SDK (~125 KiB minified), which a handler needs only
  // where tracing is on (in Lambda). @kse/lambda loads it with `import()` at cold start, only
  // then.
  {
    file: 'tracer.mjs',
    source: 'tracer.ts',
    imports: /^@aws-lambda-powertools\/tracer$/,
  },
  // The SDK's default credential chain past its first link, the environment variables (which
  // is how Lambda hands a function its role's credentials): SSO, profile files, processes,
  // web identity, container and instance metadata, with the STS, SSO and sign-in clients behind
  // them (~65 KiB). The chain imports each with `import()` when it reaches it.
  {
    file: 'credentials.mjs',
    source: 'credentials.ts',
    imports:
      /^(@aws-sdk\/credential-provider-(sso|ini|process|web-identity|http)|@smithy\/credential-provider-imds)$/,
  },
  // The S3 client, which enrich needs once per container, to read the products on its first
  // invocation: src/enrich.ts makes it with `import('./s3.js')`, @kse/lambda's default with
  // `import('@aws-sdk/client-s3')` and @kse/enrich loads its command with `import('./s3.js')`.
  {
    file: 's3.mjs',
    source: 's3.ts',
    bundles: ['enrich'],
    imports: /^(\.\/s3\.js|@aws-sdk\/client-s3)$/,
    from: /(apps\/handlers\/src|@?kse\/enrich\/dist|packages\/enrich\/dist|packages\/lambda\/dist|@?kse\/lambda\/dist)\/[^/]+$/,
  },
];

/** The lazy files of the bundle `name`. */
export function lazyFilesOf(name: BundleName): readonly LazyFile[] {
  return LAZY_FILES.filter((lazy) => lazy.bundles === undefined || lazy.bundles.includes(name));
}

// esbuild's code splitting would make these files too, but it also turns every dynamic import
// of the AWS SDK into a chunk and moves unused clients into the shared ones.
const lazyFiles = (files: readonly LazyFile[]): Plugin => ({
  name: 'kse-lazy-files',
  setup(pluginBuild) {
    for (const lazy of files) {
      pluginBuild.onResolve({ filter: lazy.imports }, (args) =>
        args.kind === 'dynamic-import' && (lazy.from === undefined || lazy.from.test(args.importer))
          ? { path: `./${lazy.file}`, external: true }
          : undefined,
      );
    }
  },
});

// Node built-ins are read with `require`, not `import`. An ESM import of a built-in makes Node
// build the module's namespace from every one of its exports, and node:http's include getters
// that load undici (fetch, WebSocket): ~20 ms of every cold start, for nothing kse uses.
const BUILTIN_NAMESPACE = 'kse-builtin';
const builtinsByRequire: Plugin = {
  name: 'kse-builtins-by-require',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) =>
      NODE_BUILTINS.has(args.path) &&
      args.namespace !== BUILTIN_NAMESPACE &&
      args.path !== 'node:module'
        ? { path: args.path, namespace: BUILTIN_NAMESPACE }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** esbuild with the bundles' settings: one self-contained minified ESM file. */
async function esbuildFile(
  entryName: string,
  entryFile: string,
  outDir: string,
  options: { clean: boolean; plugins: Plugin[] },
): Promise<Metafile> {
  if (options.clean) await rm(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { [entryName]: entryFile },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // Every dependency is bundled (esbuild leaves only Node built-ins external on `node`).
    bundle: true,
    splitting: false,
    minify: true,
    keepNames: true,
    sourcemap: false,
    legalComments: 'none',
    tsconfig: path.join(root, 'tsconfig.json'),
    banner: { js: REQUIRE_BANNER },
    // Prefer the ESM builds of dependencies (the AWS SDK ships both) for smaller bundles.
    mainFields: ['module', 'main'],
    conditions: ['module', 'import', 'node', 'default'],
    metafile: true,
    logLevel: 'warning',
    plugins: [builtinsByRequire, ...options.plugins],
  });
  return result.metafile;
}

async function bundleOne(name: BundleName): Promise<BundleReport> {
  const outDir = path.join(distDir, 'handlers', name);
  const entry = await esbuildFile('index', path.join(root, 'src', `${name}.ts`), outDir, {
    clean: true,
    plugins: [lazyFiles(lazyFilesOf(name))],
  });
  const lazy: Metafile[] = [];
  for (const { file, source } of lazyFilesOf(name)) {
    const entryName = path.basename(file, '.mjs');
    lazy.push(
      await esbuildFile(entryName, path.join(root, 'src', source), outDir, {
        clean: false,
        plugins: [],
      }),
    );
  }
  const outputs = Object.fromEntries(
    [entry, ...lazy].flatMap((metafile) =>
      Object.entries(metafile.outputs).map(([file, output]) => [path.basename(file), output]),
    ),
  );
  const loadedAtStart = filesLoadedAtStart(outputs, BUNDLE_ENTRY);
  const fileNames = [
    BUNDLE_ENTRY,
    ...Object.keys(outputs)
      .filter((file) => file !== BUNDLE_ENTRY)
      .sort(),
  ];
  const contents = new Map<string, Buffer>();
  for (const file of fileNames) contents.set(file, await readFile(path.join(outDir, file)));
  const files: BundleFile[] = fileNames.map((file) => ({
    file,
    bytes: contents.get(file)!.length,
    loadedAt: loadedAtStart.has(file) ? 'start' : 'first-use',
  }));

  const zipPath = path.join(distDir, 'zips', `${name}.zip`);
  await mkdir(path.dirname(zipPath), { recursive: true });
  const zip = zipBundle(Object.fromEntries(contents));
  await writeFile(zipPath, zip);

  const externalImports = [
    ...new Set(
      Object.values(outputs).flatMap((output) =>
        output.imports.filter((i) => i.external).map((i) => i.path),
      ),
    ),
  ].sort();
  const startCode = Buffer.concat(
    files.filter((f) => f.loadedAt === 'start').map((f) => contents.get(f.file)!),
  );
  const sum = (list: BundleFile[]) => list.reduce((total, f) => total + f.bytes, 0);
  return {
    name,
    bundle: path.relative(root, path.join(outDir, BUNDLE_ENTRY)),
    zip: path.relative(root, zipPath),
    bytes: startCode.length,
    gzipBytes: gzipSync(startCode).length,
    lazyBytes: sum(files.filter((f) => f.loadedAt === 'first-use')),
    zipBytes: zip.length,
    files,
    externalImports,
    packages: bytesPerPackage(Object.values(outputs)),
    lazyPackages: bytesPerPackage(
      Object.entries(outputs)
        .filter(([file]) => !loadedAtStart.has(file))
        .map(([, output]) => output),
    ),
  };
}

/** The entry and every output it reaches through static imports (what Node reads before the handler runs). */
function filesLoadedAtStart(outputs: Metafile['outputs'], entry: string): Set<string> {
  const reached = new Set<string>();
  const visit = (file: string): void => {
    if (reached.has(file) || !outputs[file]) return;
    reached.add(file);
    for (const i of outputs[file].imports) {
      if (i.kind === 'import-statement' && (!i.external || i.path.startsWith('./'))) {
        visit(path.basename(i.path));
      }
    }
  };
  visit(entry);
  return reached;
}

function bytesPerPackage(
  outputs: Metafile['outputs'][string][],
): { package: string; bytes: number }[] {
  const perPackage = new Map<string, number>();
  for (const output of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = packageOf(input);
      perPackage.set(key, (perPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...perPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([pkg, bytes]) => ({ package: pkg, bytes }));
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

/** A bundle may import Node built-ins and its own files (`./tracer.mjs`, …), nothing else. */
export function allowedImport(report: Pick<BundleReport, 'files'>, specifier: string): boolean {
  if (NODE_BUILTINS.has(specifier)) return true;
  return report.files.some((f) => `./${f.file}` === specifier);
}

async function main(): Promise<void> {
  await rm(path.join(distDir, 'zips'), { recursive: true, force: true });
  const reports: BundleReport[] = [];
  // One at a time: the machine is shared, and esbuild is fast enough.
  for (const name of BUNDLE_NAMES) reports.push(await bundleOne(name));
  await writeFile(
    path.join(distDir, 'bundle-report.json'),
    `${JSON.stringify(reports, null, 2)}\n`,
  );

  console.log(
    'handler     at start      gzip          zip           first use     largest inputs (at start)',
  );
  for (const r of reports) {
    const lazy = new Set(r.lazyPackages.map((p) => p.package));
    const largest = r.packages
      .filter((p) => !lazy.has(p.package))
      .slice(0, 3)
      .map((i) => `${i.package} ${kib(i.bytes)}`)
      .join(', ');
    console.log(
      `${r.name.padEnd(11)} ${kib(r.bytes).padEnd(13)} ${kib(r.gzipBytes).padEnd(13)} ${kib(r.zipBytes).padEnd(13)} ${kib(r.lazyBytes).padEnd(13)} ${largest}`,
    );
  }
  const strays = reports.flatMap((r) =>
    r.externalImports.filter((i) => !allowedImport(r, i)).map((i) => `${r.name}: ${i}`),
  );
  if (strays.length > 0) {
    throw new Error(`bundles are not self-contained; external imports: ${strays.join(', ')}`);
  }
}

await main();
