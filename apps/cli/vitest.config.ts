import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./tests/setup/localStack.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
