import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./tests/setup/localStack.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
