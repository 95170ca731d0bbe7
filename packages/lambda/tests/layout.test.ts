import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The package's two rooms hold only if their imports point one way; this reads the
// sources so that an import against the arrow fails a test rather than waiting for review.
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Every file's relative imports (static, side-effect, dynamic) and re-exports, under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
      (match) => relative(SRC, resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts'))),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

describe('package layout', () => {
  const graph = importGraph();

  it('reads both rooms (a guard against checking nothing)', () => {
    const files = [...graph.keys()];
    expect(files.some((file) => file.startsWith('adapters/'))).toBe(true);
    expect(files.some((file) => file.startsWith('esm/'))).toBe(true);
  });

  it('keeps adapters/ free of imports from esm/', () => {
    const against = [...graph]
      .filter(([file]) => file.startsWith('adapters/'))
      .flatMap(([file, targets]) =>
        targets.filter((target) => target.startsWith('esm/')).map((t) => `${file} → ${t}`),
      );
    expect(against).toEqual([]);
  });

  it('has no import cycle between source files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
