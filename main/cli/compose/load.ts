/**
 * Finds, reads and merges the compose files, as the user (this runs in the
 * CLI process, never in the helper): the default file names in the cwd, or
 * every -f in order; `.env` in the project directory; then interpolation and
 * normalization. The project directory is the first file's directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { BerthError } from '../../../preload/errors';
import { interpolateTree, parseEnvFile, type Vars } from './interpolate';
import type { ComposeProject } from './model';
import { normalize } from './normalize';

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** docker compose's rule: lowercase, keep [a-z0-9_-], no leading _ or -. */
export function normalizeProjectName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new BerthError('COMPOSE_FILE_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The files to load: each -f (absolute), or the first default name found in cwd. */
export function findFiles(files: string[], cwd: string): string[] {
  if (files.length) return files.map((f) => path.resolve(cwd, f));
  for (const f of DEFAULT_FILES) if (fs.existsSync(path.join(cwd, f))) return [path.join(cwd, f)];
  throw new BerthError(
    'COMPOSE_FILE_NOT_FOUND',
    `no compose file in ${cwd} (looked for ${DEFAULT_FILES.join(', ')}); name one with -f`,
  );
}

const REPLACED = new Set(['command', 'entrypoint', 'test']);

/**
 * Merges override files as compose does for the common cases: mappings merge
 * key by key, scalars and command/entrypoint/healthcheck.test are replaced,
 * other lists (ports, volumes, env lists…) are appended without duplicates.
 */
export function mergeTrees(base: unknown, over: unknown, key = ''): unknown {
  if (Array.isArray(base) && Array.isArray(over)) {
    if (REPLACED.has(key)) return over;
    const seen = new Set(base.map((x) => JSON.stringify(x)));
    return [...base, ...over.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  if (
    base &&
    over &&
    typeof base === 'object' &&
    typeof over === 'object' &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over as Record<string, unknown>))
      out[k] = k in out ? mergeTrees(out[k], v, k) : v;
    return out;
  }
  return over;
}

export function parseComposeYaml(text: string, file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text, { merge: true, maxAliasCount: 1000 });
  } catch (err) {
    throw new BerthError('COMPOSE_YAML_INVALID', `${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new BerthError('COMPOSE_YAML_INVALID', `${file}: the top level must be a mapping`);
  return doc as Record<string, unknown>;
}

export interface LoadOptions {
  files: string[];
  projectName?: string;
  cwd: string;
  env: Vars;
}

export function loadProject(o: LoadOptions): ComposeProject {
  const files = findFiles(o.files, o.cwd);
  const workingDir = path.dirname(files[0]!);
  // The shell's variables win over .env's, as in docker compose.
  const dotenv: Record<string, string> = {};
  const envPath = path.join(workingDir, '.env');
  if (fs.existsSync(envPath))
    for (const [k, v] of parseEnvFile(read(envPath), envPath)) if (v !== undefined) dotenv[k] = v;
  const vars: Vars = { ...dotenv, ...o.env };
  let raw: unknown = {};
  for (const f of files) raw = mergeTrees(raw, interpolateTree(parseComposeYaml(read(f), f), vars, ''));
  const tree = raw as Record<string, unknown>;
  let name: string;
  if (o.projectName !== undefined) name = o.projectName;
  else if (typeof tree['name'] === 'string' && tree['name'] !== '') name = tree['name'];
  else name = normalizeProjectName(path.basename(workingDir));
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
    throw new BerthError(
      'COMPOSE_PROJECT_NAME_INVALID',
      `project name "${name}" must be lowercase letters, digits, _ and -, starting with a letter or digit`,
    );
  return normalize({
    raw: tree,
    projectName: name,
    workingDir,
    configFiles: files,
    vars,
    readFile: read,
    homeDir: os.homedir(),
  });
}
