import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** A workspace project and the workspace projects it depends on at run time. */
export interface ProjectNode {
  readonly name: string;
  readonly folder: string;
  readonly dependsOn: readonly string[];
}

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const PROJECT_ROOTS = ['packages', 'apps', 'tools'] as const;

/**
 * Reads every workspace project's package.json and returns its run-time dependencies on
 * other workspace projects (`dependencies` and `peerDependencies`; dev dependencies such as
 * the local stack in integration tests are not arrows of the architecture).
 */
export function readDependencyGraph(repoRoot: string): ProjectNode[] {
  const manifests: { folder: string; manifest: Manifest }[] = [];
  for (const root of PROJECT_ROOTS) {
    const dir = join(repoRoot, root);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      manifests.push({ folder: `${root}/${entry.name}`, manifest });
    }
  }
  const names = new Set(manifests.map(({ manifest }) => manifest.name));
  return manifests
    .filter(({ manifest }) => manifest.name !== undefined)
    .map(({ folder, manifest }) => ({
      name: manifest.name as string,
      folder,
      dependsOn: Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })
        .filter((dependency) => names.has(dependency))
        .sort(),
    }))
    .sort((a, b) => a.folder.localeCompare(b.folder));
}

/** The graph as the README prints it: one line per project that depends on another. */
export function formatDependencyGraph(graph: readonly ProjectNode[]): string {
  const lines = graph.filter((node) => node.dependsOn.length > 0);
  const width = Math.max(...lines.map((node) => node.name.length));
  return lines
    .map((node) => `${node.name.padEnd(width)}  → ${node.dependsOn.join(', ')}`)
    .join('\n');
}

/** Projects on a dependency cycle, if any (empty when the graph is acyclic). */
export function findCycle(graph: readonly ProjectNode[]): string[] {
  const byName = new Map(graph.map((node) => [node.name, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] => {
    if (state.get(name) === 'done') return [];
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(next);
      if (cycle.length > 0) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return [];
  };
  for (const node of graph) {
    const cycle = visit(node.name);
    if (cycle.length > 0) return cycle;
  }
  return [];
}

const BLOCK_START = '<!-- dependency-graph:start -->';
const BLOCK_END = '<!-- dependency-graph:end -->';

/** The graph block between the README's markers, without its code fence. */
export function readmeGraphBlock(readme: string): string | undefined {
  const start = readme.indexOf(BLOCK_START);
  const end = readme.indexOf(BLOCK_END);
  if (start < 0 || end < start) return undefined;
  return readme
    .slice(start + BLOCK_START.length, end)
    .replace(/^\s*```text\n/, '')
    .replace(/\n```\s*$/, '')
    .trimEnd();
}
