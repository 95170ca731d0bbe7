import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findCycle,
  formatDependencyGraph,
  readDependencyGraph,
  readmeGraphBlock,
} from '../src/dependencyGraph.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('the README architecture section', () => {
  const graph = readDependencyGraph(repoRoot);

  it('prints the dependency graph the manifests declare (npm run architecture -w @kse/workspace prints it)', () => {
    const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
    expect(readmeGraphBlock(readme)).toBe(formatDependencyGraph(graph));
  });

  it('has no cycle between projects', () => {
    expect(findCycle(graph)).toEqual([]);
  });

  it('keeps the arrows one way: packages never depend on apps or tools, core on nothing', () => {
    const folderOf = new Map(graph.map((node) => [node.name, node.folder]));
    for (const node of graph.filter((n) => n.folder.startsWith('packages/'))) {
      for (const dependency of node.dependsOn)
        expect(folderOf.get(dependency)).toMatch(/^packages\//);
    }
    expect(graph.find((node) => node.name === '@kse/core')?.dependsOn).toEqual([]);
    expect(graph.find((node) => node.name === '@kse/schemas')?.dependsOn).toEqual([]);
  });
});

describe('findCycle', () => {
  it('names the projects on a cycle', () => {
    const graph = [
      { name: 'a', folder: 'packages/a', dependsOn: ['b'] },
      { name: 'b', folder: 'packages/b', dependsOn: ['c'] },
      { name: 'c', folder: 'packages/c', dependsOn: ['a'] },
    ];
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('readmeGraphBlock', () => {
  it('reads the fenced block between the markers', () => {
    const readme =
      'x\n<!-- dependency-graph:start -->\n```text\na  → b\n```\n<!-- dependency-graph:end -->\ny';
    expect(readmeGraphBlock(readme)).toBe('a  → b');
  });
  it('is undefined without markers', () => {
    expect(readmeGraphBlock('no graph here')).toBeUndefined();
  });
});
