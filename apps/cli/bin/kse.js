#!/usr/bin/env node
// The `kse` bin. It is committed, so that it exists from `npm ci` on (npm links a bin only
// when its file is there at install time): `npx kse` works before anything was built.
//
// In the repository it runs the built CLI (dist/main.js) when that is newer than the
// sources of the CLI and of every @kse package it imports; otherwise it first builds them,
// quietly, through Nx (one line on stderr while it does; the build's own output only if
// it fails). In an installed copy (no sources next to it) it runs dist/main.js as is.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Exit status when the CLI cannot be built or found: an infrastructure failure. */
const EXIT_INFRASTRUCTURE = 3;

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(appDir, 'dist', 'main.js');

/** The workspace root holding this app, or undefined in an installed copy. */
function workspaceRoot() {
  if (!existsSync(join(appDir, 'src'))) return undefined;
  const root = dirname(dirname(appDir));
  return existsSync(join(root, 'nx.json')) ? root : undefined;
}

/** Newest modification time (ms) of the files under `path`, 0 when there are none. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** The CLI's directory and those of the @kse packages it imports, directly or not. */
function projectsOf(dir, seen = new Map()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (seen.has(pkg.name)) return seen;
  seen.set(pkg.name, {
    dir,
    output: join(dir, pkg.bin === undefined ? pkg.module : 'dist/main.js'),
  });
  const require = createRequire(join(dir, 'package.json'));
  for (const name of Object.keys(pkg.dependencies ?? {})) {
    if (!name.startsWith('@kse/')) continue;
    projectsOf(dirname(realpathSync(require.resolve(`${name}/package.json`))), seen);
  }
  return seen;
}

/** True when a project's build output is missing or older than one of its inputs. */
function isStale({ dir, output }) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return ['src', 'package.json', 'tsconfig.json'].some(
    (input) => newestMtime(join(dir, input)) > built,
  );
}

function build(root) {
  const require = createRequire(join(root, 'package.json'));
  const nxDir = dirname(require.resolve('nx/package.json'));
  const nx = join(nxDir, JSON.parse(readFileSync(join(nxDir, 'package.json'), 'utf8')).bin.nx);
  process.stderr.write(
    'kse: building the CLI and its @kse packages (first run, or sources changed)…\n',
  );
  const result = spawnSync(
    process.execPath,
    [nx, 'run', '@kse/cli:build', '--output-style=static'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
  );
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    process.stderr.write(
      `kse: KSE_BUILD_FAILED: building the CLI failed (${result.error?.message ?? `exit ${result.status}`}); ` +
        'hint: run `npx nx run @kse/cli:build` to see why\n',
    );
    process.exit(EXIT_INFRASTRUCTURE);
  }
}

const root = workspaceRoot();
if (root !== undefined) {
  const projects = [...projectsOf(appDir).values()];
  if (projects.some(isStale)) {
    build(root);
    // Nx leaves outputs it finds up to date as they are (a checkout can make sources newer
    // without changing them): stamp them, so that the next start does not build again.
    const now = new Date();
    for (const { output } of projects) if (existsSync(output)) utimesSync(output, now, now);
  }
}
if (!existsSync(main)) {
  process.stderr.write(
    `kse: KSE_NOT_BUILT: ${main} is missing; hint: build it with \`npx nx run @kse/cli:build\`\n`,
  );
  process.exit(EXIT_INFRASTRUCTURE);
}
await import(pathToFileURL(main).href);
