import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runNpm } from './npm.js';

/** The parts of a package.json this tool reads. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  nx?: { tags?: string[] };
}

/** A workspace package that is published. */
export interface PublishablePackage {
  /** Absolute folder of the package. */
  dir: string;
  manifest: PackageManifest;
}

/** A packed tarball, as `npm pack --json` describes it. */
export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** Paths inside the tarball (relative to the package root). */
  files: string[];
}

/** Reads `<dir>/package.json`. */
export async function readManifest(dir: string): Promise<PackageManifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/**
 * Every package under `<workspaceRoot>/<folder>/*` that is not `private`, sorted by name.
 * These are exactly what `nx release` publishes (the `type:package` projects).
 */
export async function listPublishablePackages(
  workspaceRoot: string,
  folder = 'packages',
): Promise<PublishablePackage[]> {
  const base = resolve(workspaceRoot, folder);
  const entries = await readdir(base, { withFileTypes: true });
  const found: PublishablePackage[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(base, entry.name);
    let manifest: PackageManifest;
    try {
      manifest = await readManifest(dir);
    } catch {
      continue; // a folder without package.json is not a package
    }
    if (manifest.private !== true) found.push({ dir, manifest });
  }
  return found.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** Every file path an `exports` map points to (conditions flattened), e.g. `./dist/index.js`. */
export function exportTargets(exportsField: unknown): string[] {
  if (typeof exportsField === 'string') return [exportsField];
  if (exportsField === null || typeof exportsField !== 'object') return [];
  return Object.values(exportsField).flatMap((value) => exportTargets(value));
}

/** `npm pack`s a package folder into `destination` (what `npm publish` would upload). */
export async function packPackage(dir: string, destination: string): Promise<PackedPackage> {
  const { stdout } = await runNpm(
    ['pack', '--json', '--ignore-scripts', '--pack-destination', destination],
    { cwd: dir },
  );
  const [packed] = JSON.parse(stdout) as [
    { name: string; version: string; filename: string; files: { path: string }[] },
  ];
  return {
    name: packed.name,
    version: packed.version,
    tarball: join(destination, packed.filename),
    files: packed.files.map((file) => file.path),
  };
}

/**
 * Writes an npm user config holding a placeholder token for `registryUrl`: npm refuses to
 * publish without one, and the test registry accepts anonymous publishes of its scope.
 */
export async function writePublishUserConfig(path: string, registryUrl: string): Promise<string> {
  const hostPath = registryUrl.replace(/^https?:/, '');
  await writeFile(path, `${hostPath}:_authToken=kse-e2e-placeholder-token\n`);
  return path;
}

/** Publishes a packed tarball to `registryUrl` with the given npm user config. */
export async function publishTarball(
  tarball: string,
  registryUrl: string,
  userConfig: string,
  cwd: string,
): Promise<void> {
  await runNpm(
    [
      'publish',
      tarball,
      '--registry',
      registryUrl,
      '--userconfig',
      userConfig,
      '--tag',
      'latest',
      '--ignore-scripts',
      '--provenance=false',
    ],
    { cwd },
  );
}
