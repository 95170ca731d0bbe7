// Installs (first use) or finds (later) the pinned binaries from the npm registry, and runs
// commands with them first on PATH: `node`, npm-style `#!/usr/bin/env node` scripts and
// children started with `process.execPath` all get the pinned version.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureNode } from '../src/nodeBinary.js';
import { PINNED_NODE_VERSIONS } from '../src/nodeVersions.js';
import { nodeEnvironment, runWithNode } from '../src/runWithNode.js';

// What every process of a suite is: a `node` from PATH that starts more of itself.
const PROBE = `
  const { execFileSync } = require('node:child_process');
  const child = execFileSync(process.execPath, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  const viaPath = execFileSync('node', ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  console.log(JSON.stringify([process.version, child, viaPath]));
`;

describe.each(Object.entries(PINNED_NODE_VERSIONS))('Node %s', (line, version) => {
  it(`installs or finds node-${process.platform}-${process.arch}@${version}, which reports v${version}`, async () => {
    const node = await ensureNode(line);
    expect(node).toMatchObject({ line, version });
    expect(node.path).toContain(`/.cache/kse-node/${version}/`);
    // Nx drops PATH entries under <root>/node_modules before running a task's script.
    expect(node.path).not.toContain(`${path.sep}node_modules${path.sep}.cache`);
    expect(execFileSync(node.path, ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${version}`);
  });

  it('finds it in the cache the second time, installing nothing', async () => {
    await ensureNode(line);
    const logged: string[] = [];
    await ensureNode(line, { log: (message) => logged.push(message) });
    expect(logged).toEqual([]);
  });

  it('runs a command whose node, and whose children’s node, is the pinned one', async () => {
    const node = await ensureNode(line);
    const out = execFileSync('sh', ['-c', `node -e "${PROBE.replaceAll('"', '\\"')}"`], {
      env: nodeEnvironment(node.path),
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual([`v${version}`, `v${version}`, `v${version}`]);
    const result = await runWithNode(node, 'node', ['-e', 'process.exit(3)']);
    expect(result).toMatchObject({ exitCode: 3, signal: null });
  });
});
