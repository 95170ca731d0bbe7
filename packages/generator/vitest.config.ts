import { defineConfig } from 'vitest/config';

// The machine is shared by many workers: generous timeouts, never timing assertions.
// Integration tests (*.int.test.ts) get the local AWS stack from @kse/local-stack.
export default defineConfig({
  test: {
    globalSetup: ['./tests/setup/localStack.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
