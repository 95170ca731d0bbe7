import { defineConfig } from 'tsdown';

// ESM and CommonJS, each with its types and sourcemaps, under the names package.json#exports
// points to: .js and .d.ts (the package is "type": "module"), .cjs and .d.cts.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  // On Node, tsdown names ESM output .mjs/.d.mts unless told otherwise.
  fixedExtension: false,
  // Rolldown's "spent significant time in plugins" notes measure the machine's load, not us.
  checks: { pluginTimings: false },
});
