import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Unit and integration tests sit next to their code. Root-only tests check
// process.getuid() themselves and run for real where CI runs (as root).
// Two projects: everything runs in node except renderer component tests
// (*.test.tsx), which get a happy-dom document and Testing Library's cleanup;
// the node tests pay nothing for the DOM.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'main/**/*.test.ts',
            'preload/**/*.test.ts',
            'native/**/*.test.ts',
            'renderer/src/**/*.test.ts',
            'bench/conditions.test.ts',
          ],
        },
      },
      {
        extends: true,
        plugins: [react()],
        test: {
          name: 'dom',
          include: ['renderer/src/**/*.test.tsx'],
          environment: 'happy-dom',
          setupFiles: ['renderer/src/testing/setup-dom.ts'],
        },
      },
    ],
  },
});
