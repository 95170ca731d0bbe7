import { defineConfig } from 'vitest/config';

// The machine is shared by many workers: generous timeouts, never timing assertions.
export default defineConfig({ test: { testTimeout: 60_000 } });
