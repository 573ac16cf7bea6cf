import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Three projects, told apart by file suffix (docs/ARCHITECTURE.md, "Tests"):
// - unit: plain `*.test.ts` (and `*.fake.test.ts`), no root needed: a root-only
//   case inside checks process.getuid() and skips; `npm run test:unit`.
// - integration: tests that need root and the real kernel (`.integration.`,
//   `.real.`, `.root.`) or take long (`.fuzz.`, `.memory.`, `.corpus.`);
//   they run for real where CI runs (as root); `npm run test:integration`.
// - dom: renderer component tests (`*.test.tsx`) in happy-dom with Testing
//   Library; part of test:unit. The node projects pay nothing for the DOM.
// Benchmarks (`*.bench.test.ts`) have their own config, bench/vitest.bench.config.ts.
// Test helpers live in main/testing/ (Node side), renderer/src/testing/ (DOM)
// and e2e/support/ (Playwright).
const NODE_TESTS = [
  'main/**/*.test.ts',
  'preload/**/*.test.ts',
  'native/**/*.test.ts',
  'renderer/src/**/*.test.ts',
  'bench/conditions.test.ts',
];
const INTEGRATION = ['integration', 'real', 'root', 'fuzz', 'memory', 'corpus'].map((s) => `**/*.${s}.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Unit files keep no state between them (no module mocks, no global
        // stubs), so they share their workers' module cache: 104 s → 60 s on 2 cores.
        test: { name: 'unit', include: NODE_TESTS, exclude: ['**/node_modules/**', ...INTEGRATION], isolate: false },
      },
      {
        extends: true,
        test: { name: 'integration', include: INTEGRATION.map((g) => g.replace('**/', '{main,preload,native}/**/')) },
      },
      {
        extends: true,
        plugins: [react()],
        test: {
          name: 'dom',
          include: ['renderer/src/**/*.test.tsx'],
          environment: 'happy-dom',
          isolate: false, // setup-dom.ts unmounts and removes the fake bridge after each test
          setupFiles: ['renderer/src/testing/setup-dom.ts'],
        },
      },
    ],
  },
});
