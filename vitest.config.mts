import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // The LSP and browser suites start processes; keep files in parallel but bounded on 2 cores.
    maxWorkers: 2,
  },
});
