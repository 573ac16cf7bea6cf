#!/usr/bin/env node
// The `berth` command. `npm install` (or `npm run build`) builds the CLI twice: as one
// CommonJS file, out/main/cli.cjs, which runs here with a V8 code cache in the user's
// cache dir (out/main/cli-launch.cjs, from main/cli/code-cache.ts: a start skips compiling
// the CLI), and as ES modules, out/main/cli.js, used when the CommonJS one is missing.
// This file is CommonJS (bin/package.json): an ES module entry costs Node's ES loader,
// ≈ 5–10 ms of every start.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const out = path.join(__dirname, '..', 'out', 'main');
const [launcher, bundle, esm] = ['cli-launch.cjs', 'cli.cjs', 'cli.js'].map((f) => path.join(out, f));
if (existsSync(launcher) && existsSync(bundle)) {
  require(launcher).launch(bundle);
} else if (existsSync(esm)) {
  import(pathToFileURL(esm).href).catch((err) => {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write(`berth: ${bundle} is missing; run \`npm install\` (or \`npm run build\`) first\n`);
  process.exit(2);
}
