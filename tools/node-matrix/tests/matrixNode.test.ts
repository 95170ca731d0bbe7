import { describe, expect, it } from 'vitest';
import { MATRIX_NODE_VERSION_ENV } from '../src/runWithNode.js';

// `npm run test:node22|24` runs this file through node-matrix → nx → npm → vitest → a vitest
// worker. Any of them could put another Node first (Nx's run-script executor rewrites PATH),
// and every suite would then pass on the wrong Node: this checks the end of the chain.
describe('the Node this test runs on', () => {
  it('is the one node-matrix ran the command with (or, outside the matrix, the one that started it)', () => {
    const expected = process.env[MATRIX_NODE_VERSION_ENV] ?? process.version;
    expect(process.version).toBe(expected);
  });
});
