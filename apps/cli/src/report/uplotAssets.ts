import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** uPlot's browser build, inlined into every report page. */
export interface UplotAssets {
  /** uPlot's IIFE build (defines the global `uPlot`), preceded by its licence in a comment. */
  js: string;
  css: string;
  version: string;
  /** The licence's name from uPlot's package.json (`MIT`). */
  licenseName: string;
  /** The full text of uPlot's LICENSE file. */
  license: string;
}

let cached: UplotAssets | undefined;

/**
 * Reads uPlot's minified browser build, CSS and licence from the installed `uplot`
 * package (a pinned dependency of the CLI), once per process. The page inlines them, so
 * it stays self-contained; the licence goes with the code, as MIT asks.
 */
export function uplotAssets(): UplotAssets {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  // The package's main entry sits in dist/; its exports map need not list the other files.
  const dist = dirname(require.resolve('uplot'));
  const root = dirname(dist);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
    license?: string;
  };
  const license = readFileSync(join(root, 'LICENSE'), 'utf8').trim();
  const code = readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(join(dist, 'uPlot.min.css'), 'utf8');
  // Inline in <script> and <style>: text that would end the element early must not occur.
  for (const [name, text, end] of [
    ['uPlot.iife.min.js', code, /<\/script|<!--/i],
    ['uPlot.min.css', css, /<\/style/i],
    ['LICENSE', license, /\*\//],
  ] as const) {
    if (end.test(text)) throw new Error(`uplot ${pkg.version}: ${name} cannot be inlined as it is`);
  }
  cached = {
    js: `/*! uPlot ${pkg.version}, inlined by kse. Its licence:\n\n${license}\n*/\n${code}`,
    css,
    version: pkg.version,
    licenseName: pkg.license ?? 'see its LICENSE',
    license,
  };
  return cached;
}
