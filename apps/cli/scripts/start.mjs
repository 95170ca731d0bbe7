#!/usr/bin/env node
// `npm start`: builds kse and the packages it uses (Nx, cached), silently, then runs
// `kse run` with the heap flags the README explains. The build's output is shown only
// when the build fails: a user asked for the pipeline, not for tsdown's file sizes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const main = join(root, 'apps', 'cli', 'dist', 'main.js');
const nxPackage = createRequire(join(root, 'package.json')).resolve('nx/package.json');
const nx = join(dirname(nxPackage), JSON.parse(readFileSync(nxPackage, 'utf8')).bin.nx);

function build() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nx, 'run', '@kse/cli:build', '--output-style=static'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NX_TUI: 'false' },
    });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    // On a terminal, a first build (about a minute) says what it is doing, then erases it.
    let noted = false;
    const timer = setTimeout(() => {
      if (process.stderr.isTTY !== true) return;
      noted = true;
      process.stderr.write('building kse and its packages (the first time takes a minute)…');
    }, 3_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (noted) process.stderr.write('\r\x1b[2K');
      resolve({ code: code ?? 1, signal, output: Buffer.concat(output) });
    });
  });
}

// Ctrl-C on a terminal reaches every process of the group: kse stops itself (and says
// what it left); this process only waits for it. SIGTERM is passed on.
process.on('SIGINT', () => undefined);
let child;
process.on('SIGTERM', () => child?.kill('SIGTERM'));

const built = await build();
if (built.code !== 0 || built.signal !== null) {
  process.stderr.write(built.output);
  process.stderr.write(`npm start: the build failed (${built.signal ?? `exit ${built.code}`})\n`);
  process.exit(built.code === 0 ? 1 : built.code);
}
child = spawn(
  process.execPath,
  ['--max-old-space-size=512', '--max-semi-space-size=32', main, 'run', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
child.on('close', (code, signal) => {
  const numbers = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
  process.exit(code ?? 128 + (numbers[signal] ?? 1));
});
