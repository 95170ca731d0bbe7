import { defineConfig } from 'vitest/config';

// The end-to-end test packs, publishes and installs real packages (the consumer's
// third-party dependencies come from the public registry): its hooks need minutes, not
// the default seconds. Each npm call also carries its own timeout.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 900_000,
    teardownTimeout: 60_000,
  },
});
