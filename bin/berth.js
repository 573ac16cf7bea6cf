#!/usr/bin/env node
// The `berth` command. `npm install` (or `npm run build`) builds the CLI twice: as one
// CommonJS file, out/main/cli.cjs, which runs here with a V8 code cache in the user's
// cache dir (out/main/cli-launch.cjs, from main/cli/code-cache.ts: a start skips compiling
// the CLI), and as ES modules, out/main/cli.js, used when the CommonJS one is missing.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main');
const [launcher, bundle, esm] = ['cli-launch.cjs', 'cli.cjs', 'cli.js'].map((f) => path.join(out, f));
if (existsSync(launcher) && existsSync(bundle)) {
  createRequire(import.meta.url)(launcher).launch(bundle);
} else if (existsSync(esm)) {
  await import(pathToFileURL(esm).href);
} else {
  process.stderr.write(`berth: ${bundle} is missing; run \`npm install\` (or \`npm run build\`) first\n`);
  process.exit(2);
}
