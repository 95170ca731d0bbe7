import { defineConfig } from 'vitest/config';

// The lowest package: its tests are unit tests on injected clocks, sleeps and random
// sources, so it needs no local AWS stack (and @kse/local-stack builds on this package).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
