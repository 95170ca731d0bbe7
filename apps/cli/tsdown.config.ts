import { defineConfig } from 'tsdown';

// One ESM file with its sourcemap (dist/main.js, run by bin/kse.js); no types: kse is an app.
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  target: 'node20',
  // On Node, tsdown names ESM output .mjs unless told otherwise.
  fixedExtension: false,
  // Rolldown's "spent significant time in plugins" notes measure the machine's load, not us.
  checks: { pluginTimings: false },
});
