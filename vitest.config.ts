import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file builds its own temp folders and database, so files can run in parallel.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
