import { defineConfig } from 'vitest/config';

// Unit and integration tests sit next to their code. Root-only tests check
// process.getuid() themselves and run for real where CI runs (as root).
export default defineConfig({
  test: {
    include: [
      'main/**/*.test.ts',
      'preload/**/*.test.ts',
      'native/**/*.test.ts',
      'renderer/src/**/*.test.ts',
      'bench/conditions.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
