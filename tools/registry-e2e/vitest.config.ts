import { defineConfig } from 'vitest/config';

// The end-to-end test packs, publishes and installs real packages (the consumer's
// third-party dependencies come from the public registry): its hooks need minutes, not
// the default seconds, and type-checking the consumer (AWS SDK declarations included, no
// skipLibCheck) takes minutes on a loaded machine. Each child process has its own timeout.
export default defineConfig({
  test: {
    testTimeout: 400_000,
    hookTimeout: 900_000,
    teardownTimeout: 60_000,
  },
});
