import { defineConfig } from 'vitest/config';

// End-to-end tests start the real Bun processes; they run under Node, one file at a time is
// not required but every test owns its ports and data directories.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts', 'tests/faults/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'junit'],
    outputFile: { junit: 'reports/e2e.xml' },
  },
});
