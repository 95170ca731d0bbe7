export {
  NODE_LINES,
  PINNED_NODE_VERSIONS,
  isNodeLine,
  nodePackageName,
  pinnedVersion,
} from './nodeVersions.js';
export type { NodeLine } from './nodeVersions.js';
export {
  DEFAULT_ENSURE_NODE_OPTIONS,
  REPO_ROOT,
  ensureNode,
  withoutNpmScriptEnv,
} from './nodeBinary.js';
export type { EnsureNodeOptions, NodeBinary } from './nodeBinary.js';
export {
  MATRIX_NODE_VERSION_ENV,
  nodeEnvironment,
  nodeOnPath,
  runWithNode,
} from './runWithNode.js';
export type { NodeRunResult } from './runWithNode.js';
