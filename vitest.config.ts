import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start real engines and terminals; a generous ceiling, never a speed check.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Engines are heavy on a 2-core machine: run test files one after another.
    fileParallelism: false,
  },
});
