import { defineConfig } from 'vitest/config';

// The integration test installs a pinned Node binary from the npm registry on first use
// (~30 MB); later runs find it in the cache.
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
