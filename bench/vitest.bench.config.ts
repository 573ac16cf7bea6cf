// Benchmarks that run through vitest but stay out of the unit-test run
// (vitest.config.ts includes only main/, preload/, native/, renderer/src/):
//   npx vitest run -c bench/vitest.bench.config.ts [filter]
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['bench/**/*.bench.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
