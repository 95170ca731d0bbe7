import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./tests/setup/localStack.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Powertools would print every EMF document and log line of the handlers under test.
    env: { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
