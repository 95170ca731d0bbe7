import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { nodePackageName, pinnedVersion } from './nodeVersions.js';

const run = promisify(execFile);

/** The repository root (this file is `tools/node-matrix/src/nodeBinary.ts`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Options of {@link ensureNode}. */
export interface EnsureNodeOptions {
  /** Where binaries are installed, one folder per version. */
  cacheDir: string;
  /** The npm executable that installs them. */
  npm: string;
  /** Progress lines (an install takes a while the first time). */
  log: (line: string) => void;
  /** Environment of the npm child process; default `process.env` without the `npm_*` variables. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Defaults of {@link EnsureNodeOptions}: a git-ignored cache in the repository,
 * `.cache/kse-node/`. Not under `node_modules/`: Nx's run-script executor drops every PATH
 * entry under `<root>/node_modules` before it runs a task's npm script, which would put the
 * machine's Node back in front.
 */
export const DEFAULT_ENSURE_NODE_OPTIONS = {
  cacheDir: path.join(REPO_ROOT, '.cache', 'kse-node'),
  npm: 'npm',
  log: (line: string) => process.stderr.write(`${line}\n`),
} satisfies Partial<EnsureNodeOptions>;

/** A pinned Node binary on disk. */
export interface NodeBinary {
  /** The line asked for (`'22'`). */
  line: string;
  /** Its pinned version (`'22.23.5'`). */
  version: string;
  /** Absolute path of the `node` executable. */
  path: string;
}

/**
 * The pinned Node binary of `line`, installed on first use from the npm registry into
 * `<cacheDir>/<version>/` (`npm install` of `node-<platform>-<arch>@<version>` into a folder of
 * its own: no global install, nothing added to the workspace's manifests or lockfile). A
 * cached binary is used only if it reports the pinned version. Concurrent first uses are safe:
 * each installs into a temporary folder and renames it into place.
 *
 * @example
 * ```ts
 * const node24 = await ensureNode('24');
 * execFileSync(node24.path, ['bundle.mjs']);
 * ```
 */
export async function ensureNode(
  line: string,
  options: Partial<EnsureNodeOptions> = {},
): Promise<NodeBinary> {
  const { cacheDir, npm, log, env } = { ...DEFAULT_ENSURE_NODE_OPTIONS, ...options };
  const version = pinnedVersion(line);
  const packageName = nodePackageName();
  const dir = path.join(cacheDir, version);
  const binary = binaryIn(dir, packageName);
  if (await reportsVersion(binary, version)) return { line, version, path: binary };

  log(`node-matrix: installing ${packageName}@${version} into ${dir}`);
  await mkdir(cacheDir, { recursive: true });
  const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(staging, { recursive: true });
    await writeFile(
      path.join(staging, 'package.json'),
      `${JSON.stringify({ name: `kse-node-${version}`, private: true, dependencies: { [packageName]: version } }, null, 2)}\n`,
    );
    await run(
      npm,
      [
        'install',
        '--prefix',
        staging,
        '--no-package-lock',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      {
        env: env ?? withoutNpmScriptEnv(process.env),
        maxBuffer: 16 * 1024 * 1024,
        timeout: 600_000,
      },
    );
    if (!(await reportsVersion(binaryIn(staging, packageName), version))) {
      throw new Error(
        `${packageName}@${version} installed, but its node does not report v${version}`,
      );
    }
    await rm(dir, { recursive: true, force: true });
    try {
      await rename(staging, dir);
    } catch (error) {
      // Another process put the same version in place first: use theirs.
      if (!(await reportsVersion(binary, version))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await reportsVersion(binary, version))) {
    throw new Error(`node-matrix: ${binary} is not Node v${version} after installing it`);
  }
  return { line, version, path: binary };
}

function binaryIn(dir: string, packageName: string): string {
  return path.join(dir, 'node_modules', packageName, 'bin', 'node');
}

async function reportsVersion(binary: string, version: string): Promise<boolean> {
  try {
    await access(binary);
    const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
    return stdout.trim() === `v${version}`;
  } catch {
    return false;
  }
}

/**
 * `env` without what a parent `npm run` exports to its scripts (`npm_config_*`, `npm_package_*`,
 * …), which would point a child npm at the workspace; the network settings (registry, proxy,
 * CA, cache) are kept so a CI mirror still works.
 */
export function withoutNpmScriptEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = new Set([
    'npm_config_registry',
    'npm_config_cafile',
    'npm_config_ca',
    'npm_config_strict_ssl',
    'npm_config_proxy',
    'npm_config_https_proxy',
    'npm_config_http_proxy',
    'npm_config_noproxy',
    'npm_config_cache',
  ]);
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') && !kept.has(lower)) continue;
    if (lower === 'init_cwd') continue;
    clean[key] = value;
  }
  return clean;
}
