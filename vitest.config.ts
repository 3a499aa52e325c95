import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The process tests run the compiled server, as `npm start` does.
    globalSetup: ['test/helpers/build.ts'],
    // Each test file builds its own temp folders and database, so files can run in parallel.
    testTimeout: 30_000,
    // CI also keeps a machine-readable record, from which .ci/run prints its closing count.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'dist/test-results.json' }]] : ['default'],
    hookTimeout: 60_000,
  },
});
