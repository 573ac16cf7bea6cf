#!/usr/bin/env node
// The `berth` command: the built CLI lives in out/main/cli.js (`npm install` builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`berth: ${cli} is missing; run \`npm install\` (or \`npm run build\`) first\n`);
  process.exit(2);
}
await import(pathToFileURL(cli).href);
