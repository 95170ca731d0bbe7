import { resolve } from 'node:path';
import { formatDependencyGraph, readDependencyGraph } from './dependencyGraph.js';

// Prints the dependency graph block the root README carries (between its
// dependency-graph markers), computed from the package manifests.
const repoRoot = resolve(import.meta.dirname, '../../..');
process.stdout.write(`${formatDependencyGraph(readDependencyGraph(repoRoot))}\n`);
