import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./tests/setup/localStack.ts'],
    // Synthesizing CDK stacks takes seconds on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
