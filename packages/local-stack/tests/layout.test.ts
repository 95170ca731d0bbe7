// The package's rooms and the arrows between them, read from the import lines of src/.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every file of src/ (relative, `/`-separated) with the files of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split('\\').join('/');
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) =>
      posix.normalize(posix.join(posix.dirname(from), match[1]!)).replace(/\.js$/, '.ts'),
    );
    graph.set(from, targets);
  }
  return graph;
}

const graph = importGraph();
const importsOf = (file: string): string[] => graph.get(file) ?? [];

describe('the layout of src/', () => {
  it('reads every import of src/ as a file of src/', () => {
    for (const [file, targets] of graph) {
      for (const target of targets)
        expect({ file, target, known: graph.has(target) }).toEqual({
          file,
          target,
          known: true,
        });
    }
  });

  it('has no import cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[][] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file]);
        return;
      }
      state.set(file, 'visiting');
      for (const target of importsOf(file)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('lets aws/ reach into emulators/ only where openAws starts the embedded stack', () => {
    const arrows = [...graph].flatMap(([file, targets]) =>
      file.startsWith('aws/')
        ? targets.filter((target) => target.startsWith('emulators/')).map((t) => `${file} -> ${t}`)
        : [],
    );
    expect(arrows).toEqual(['aws/openAws.ts -> emulators/startLocalStack.ts']);
  });

  it('keeps emulators/ off openAws, so that arrow points one way', () => {
    const back = [...graph].flatMap(([file, targets]) =>
      file.startsWith('emulators/') && targets.includes('aws/openAws.ts') ? [file] : [],
    );
    expect(back).toEqual([]);
  });

  it('keeps the vitest harness out of the main entry: only testing/ imports testing/', () => {
    const intoTesting = [...graph].flatMap(([file, targets]) =>
      !file.startsWith('testing/') && targets.some((target) => target.startsWith('testing/'))
        ? [file]
        : [],
    );
    expect(intoTesting).toEqual([]);
  });

  it('shares only errors.ts between the rooms at the top of src/', () => {
    const top = [...graph.keys()].filter((file) => !file.includes('/')).sort();
    expect(top).toEqual(['errors.ts', 'index.ts']);
    expect(importsOf('errors.ts')).toEqual([]);
  });
});
