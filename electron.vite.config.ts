import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  // Main, the helper and the CLI share one Node build. Dependencies are bundled
  // (externalizeDeps: false) so the installed helper in /usr/lib/berth needs no
  // node_modules: root never loads code from a user-writable tree.
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: false,
      sourcemap: true,
      rolldownOptions: {
        input: {
          index: resolve(root, 'main/index.ts'),
          helper: resolve(root, 'main/helper/server/main.ts'),
          cli: resolve(root, 'main/cli/main.ts'),
          // An upload's analysis runs on a worker thread (engine/layers/upload-analysis-thread.ts).
          'analysis-worker': resolve(root, 'main/engine/layers/upload-analysis-worker.ts'),
        },
        external: ['electron', 'bufferutil', 'utf-8-validate'],
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          // Not minified (names and lines stay readable), but without comments and with every
          // non-ASCII character escaped: a source with one `≈` anywhere is a two-byte string
          // to V8, twice the memory to decode and scan. The CLI compiles ≈ 640 KB of this at
          // every start (docs/ARCHITECTURE.md, "Build").
          minify: { compress: false, mangle: false, codegen: { removeWhitespace: false, asciiOnly: true } },
          comments: false,
        },
      },
    },
  },
  // Sandboxed preloads must be one CommonJS file.
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      minify: true,
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
