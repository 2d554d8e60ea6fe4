import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Portable code under Node. Bun-only tests (*.bun.test.ts) run under `bun test`;
// browser tests under web-test-runner; end-to-end tests have their own config.
export default defineConfig({
  test: {
    include: [
      'tests/protocol/**/*.test.ts',
      'cloud/**/*.test.ts',
      'relay/**/*.test.ts',
      'server/**/*.test.ts',
      'tests/sim/**/*.test.ts',
      'tests/web/**/*.test.ts',
      'tests/support/**/*.test.ts',
      'tests/venue-day/**/*.test.ts',
    ],
    exclude: ['**/*.bun.test.ts', '**/node_modules/**'],
    // One test file per core. Vitest's default keeps a core for its main process, which idles
    // while the files run: on a 2-core CI machine that meant one file at a time.
    maxWorkers: availableParallelism(),
    reporters: ['default', 'junit'],
    outputFile: { junit: 'reports/unit.xml' },
  },
});
