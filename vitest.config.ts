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
const INTEGRATION_FILES = INTEGRATION.map((g) => g.replace('**/', '{main,preload,native}/**/'));
// Integration files run two at a time: each starts its own helper on its own
// run dir, data root, bridge (testBridge: a second octet of its own per file)
// and nft table, so they wait on the kernel side by side (the layer: 390 s one
// file at a time → 210–225 s; docs/ARCHITECTURE.md, "Tests"). These see or
// change what is the machine's, not a helper's, and run alone, one after
// another, after the others:
const INTEGRATION_SERIAL = [
  'main/engine/containers/cycles.integration.test.ts', // counts every cgroup under berth/ and every netns
  'main/engine/cgroups/*.real.test.ts', // CPU shares, ticks and OOM timing of the whole machine
  'main/engine/cgroups/v2/*.real.test.ts',
  'main/engine/resources/service.real.test.ts', // samples the host's cgroups
  'main/engine/namespaces/scan.root.test.ts', // every namespace on the host, checked against lsns
  'main/engine/layers/analyze.memory.test.ts', // heap bounds sampled while 1.5 GiB streams through gzip
  'main/helper/server/helper-deb.integration.test.ts', // dpkg -i into the system, /usr/lib/berth moved aside
  'main/helper/server/install-helper.integration.test.ts', // would write /usr/lib/berth were its check broken
  'main/helper/client/pkexec.integration.test.ts', // polkit rules, throwaway users, /run/berth
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A temp dir per run; what a test leaves in it fails the run (main/testing/temp-leaks.global.ts).
    globalSetup: ['main/testing/temp-leaks.global.ts'],
    projects: [
      {
        extends: true,
        // Unit files keep no state between them (no module mocks, no global
        // stubs), so they share their workers' module cache: 104 s → 60 s on 2 cores.
        // setup-node.ts fails a file that leaves process.env or a global changed.
        test: {
          name: 'unit',
          include: NODE_TESTS,
          exclude: ['**/node_modules/**', ...INTEGRATION],
          isolate: false,
          setupFiles: ['main/testing/setup-node.ts'],
        },
      },
      {
        extends: true,
        // groupOrder 1: a group of its own (its maxWorkers differs from the unit project's).
        test: {
          name: 'integration',
          include: INTEGRATION_FILES,
          exclude: ['**/node_modules/**', ...INTEGRATION_SERIAL],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        // One worker, isolated, default groupOrder: vitest runs these last, one file at a time.
        test: { name: 'integration-serial', include: INTEGRATION_SERIAL, maxWorkers: 1 },
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
