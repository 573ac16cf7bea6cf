import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { build as rolldownBuild, type OutputOptions } from 'rolldown';

const root = import.meta.dirname;

// Not minified (names and lines stay readable), but without comments and with every
// non-ASCII character escaped: a source with one `≈` anywhere is a two-byte string
// to V8, twice the memory to decode and scan (docs/ARCHITECTURE.md, "Build").
const readableAscii: Pick<OutputOptions, 'minify' | 'comments'> = {
  minify: { compress: false, mangle: false, codegen: { removeWhitespace: false, asciiOnly: true } },
  comments: false,
};

/**
 * Node built-ins Node has not loaded at start and most commands never use
 * (the helper's launcher, upload analysis, `berth web`, prompts, hashing and
 * random ids, promise fs: `berth build` needs neither node:crypto, ≈ 1.5 ms to
 * load, nor node:fs/promises, ≈ 0.8 ms with the readline and watcher modules
 * it pulls in): in one bundle their `require`s would all run at start, ≈ 10 ms. Each becomes a
 * proxy that requires the module on first use. Matches rolldown's CommonJS
 * preamble (`let node_x = require("node:x");` and its `__toESM` line); a
 * line that does not match stays as it was, only not lazy. Lines are kept
 * where they were (what replaces two lines ends in two newlines), so the
 * source map, which this does not rewrite, still points at the right lines.
 */
const LAZY_BUILTINS = ['child_process', 'zlib', 'worker_threads', 'http', 'readline', 'crypto', 'fs/promises'];
function lazyBuiltins(): { name: string; renderChunk(code: string): string } {
  const lazy =
    'var __lazyModule = (load) => { let m; return new Proxy({}, { get: (_, k) => (m ??= load())[k], has: (_, k) => k in (m ??= load()) }); }; ';
  return {
    name: 'berth-lazy-builtins',
    renderChunk(code) {
      let out = code;
      for (const b of LAZY_BUILTINS) {
        const v = `node_${b.replaceAll('/', '_')}`;
        const line = `let ${v} = require("node:${b}");\n`;
        const esm = `${v} = __toESM(${v}, 1);\n`;
        if (!out.includes(line)) continue;
        const both = out.includes(line + esm);
        const wrapped = both ? `__toESM(require("node:${b}"), 1)` : `require("node:${b}")`;
        out = out.replace(both ? line + esm : line, `let ${v} = __lazyModule(() => ${wrapped});\n${both ? '\n' : ''}`);
      }
      return out === code ? code : out.replace(/^(let node_)/m, `${lazy}$1`);
    },
  };
}

/**
 * The `berth` command's own bundles, written next to the ES ones once those are
 * built: the CLI as ONE CommonJS file (out/main/cli.cjs, its lazily loaded
 * commands inlined as lazy initialisers), which bin/berth.js runs through
 * main/cli/code-cache.ts (out/main/cli-launch.cjs) with a V8 code cache. Node 20
 * caches no compiled code for ES modules; this way a start skips compiling the CLI.
 */
function cliCommonJs(): { name: string; apply: 'build'; closeBundle(): Promise<void> } {
  const bundle = (input: string, file: string, codeSplitting: boolean) =>
    rolldownBuild({
      input: resolve(root, input),
      platform: 'node',
      external: ['electron', 'bufferutil', 'utf-8-validate'],
      plugins: [lazyBuiltins()],
      logLevel: 'warn',
      // lazyBuiltins keeps every line where it was (see there), so the map stays right.
      onLog: (level, log, handler) => {
        if (log.code !== 'SOURCEMAP_BROKEN' || log.plugin !== 'berth-lazy-builtins') handler(level, log);
      },
      output: { file: resolve(root, file), format: 'cjs', codeSplitting, sourcemap: true, ...readableAscii },
    });
  return {
    name: 'berth-cli-commonjs',
    apply: 'build',
    async closeBundle() {
      await bundle('main/cli/main.ts', 'out/main/cli.cjs', false);
      await bundle('main/cli/code-cache.ts', 'out/main/cli-launch.cjs', false);
    },
  };
}

export default defineConfig({
  // Main, the helper and the CLI share one Node build. Dependencies are bundled
  // (externalizeDeps: false) so the installed helper in /usr/lib/berth needs no
  // node_modules: root never loads code from a user-writable tree.
  main: {
    plugins: [cliCommonJs()],
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
          ...readableAscii,
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
