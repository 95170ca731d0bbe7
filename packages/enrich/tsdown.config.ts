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
  // Chunks named without a hash (dist/s3.js, dist/dynamodb.js: the SDK commands loaded on
  // first use, see src/sdk.ts), so that a bundler can point an import of them elsewhere (the
  // handler bundles read the S3 client from a file of their own).
  hash: false,
  // Rolldown's "spent significant time in plugins" notes measure the machine's load, not us.
  checks: { pluginTimings: false },
});
