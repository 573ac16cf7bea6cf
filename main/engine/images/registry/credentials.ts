/**
 * Registry credentials from the files the user's tools already wrote:
 * containers' auth.json (podman, skopeo, buildah) and Docker's config.json.
 *
 * The helper runs as root on behalf of an owner uid, so nothing here reads
 * process.env: callers pass the owner's home and runtime dir (and, when they
 * trust it, the owner's REGISTRY_AUTH_FILE / DOCKER_CONFIG through
 * `credentialFileOptionsFromEnv`). Files must be regular files, at most
 * 1 MiB, and — when `uid` is given — owned by that uid, so a symlink planted
 * in a home directory cannot make root read (or hang on) someone else's file.
 *
 * Search order follows containers/image: $REGISTRY_AUTH_FILE (replacing the
 * two containers paths) or $XDG_RUNTIME_DIR/containers/auth.json then
 * $XDG_CONFIG_HOME/containers/auth.json; then $DOCKER_CONFIG/config.json
 * (default ~/.docker/config.json); then the legacy ~/.dockercfg. The first
 * file with an entry for the registry wins; inside a file the most specific
 * key wins (`host/ns/repo` before `host/ns` before `host`).
 *
 * Credential helpers (`credsStore`, `credHelpers`) are not run: a root
 * process must not execute programs named by a user's file. When one is
 * configured for a host and no inline entry exists, the lookup says so in
 * `warnings`.
 */
import fs from 'node:fs/promises';
import { constants as FS } from 'node:fs';
import path from 'node:path';
import { DOCKER_HUB, canonicalRegistry } from './endpoint';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token realm. */
  identityToken?: string;
  /** A ready bearer token (`registrytoken`), sent as is. */
  registryToken?: string;
}

export interface CredentialLookup {
  credentials?: Credentials;
  /** `path#key` of the entry used. */
  source?: string;
  warnings: string[];
}

/** Returns credentials for a registry (and repository, for namespaced entries). */
export type CredentialResolver = (registry: string, repository?: string) => Promise<CredentialLookup>;

export interface CredentialFileOptions {
  /** The owner's home directory. */
  homeDir: string;
  /** The owner's XDG_RUNTIME_DIR (e.g. /run/user/1000); skipped when absent. */
  runtimeDir?: string;
  /** The owner's XDG_CONFIG_HOME; default `${homeDir}/.config`. */
  configHome?: string;
  /** REGISTRY_AUTH_FILE: replaces both containers auth.json paths. */
  authFile?: string;
  /** DOCKER_CONFIG: the directory holding Docker's config.json; default `${homeDir}/.docker`. */
  dockerConfigDir?: string;
  /** Only files owned by this uid are read (root's helper acting for a user). */
  uid?: number;
}

export interface CredentialFile {
  path: string;
  kind: 'containers' | 'docker' | 'dockercfg';
}

const MAX_FILE = 1024 * 1024;

/** The files consulted, in order. */
export function credentialFiles(opts: CredentialFileOptions): CredentialFile[] {
  const out: CredentialFile[] = [];
  if (opts.authFile) out.push({ path: opts.authFile, kind: 'containers' });
  else {
    if (opts.runtimeDir) out.push({ path: path.join(opts.runtimeDir, 'containers', 'auth.json'), kind: 'containers' });
    const configHome = opts.configHome ?? path.join(opts.homeDir, '.config');
    out.push({ path: path.join(configHome, 'containers', 'auth.json'), kind: 'containers' });
  }
  out.push({
    path: path.join(opts.dockerConfigDir ?? path.join(opts.homeDir, '.docker'), 'config.json'),
    kind: 'docker',
  });
  out.push({ path: path.join(opts.homeDir, '.dockercfg'), kind: 'dockercfg' });
  return out;
}

/** Options from an environment the caller has decided to trust (the owner's, not the helper's). */
export function credentialFileOptionsFromEnv(
  env: Record<string, string | undefined>,
  homeDir: string,
  uid?: number,
): CredentialFileOptions {
  const o: CredentialFileOptions = { homeDir };
  if (env.XDG_RUNTIME_DIR) o.runtimeDir = env.XDG_RUNTIME_DIR;
  if (env.XDG_CONFIG_HOME) o.configHome = env.XDG_CONFIG_HOME;
  if (env.REGISTRY_AUTH_FILE) o.authFile = env.REGISTRY_AUTH_FILE;
  if (env.DOCKER_CONFIG) o.dockerConfigDir = env.DOCKER_CONFIG;
  if (uid !== undefined) o.uid = uid;
  return o;
}

interface ParsedFile {
  path: string;
  auths: Map<string, Record<string, unknown>>;
  credsStore?: string;
  credHelpers: Map<string, string>;
}

/**
 * Normalizes an auth file key: scheme and (for URLs) path dropped, Docker
 * Hub's aliases folded into `docker.io`. A key without a scheme keeps its
 * path: `quay.io/org` is a namespaced entry (containers/image).
 */
export function normalizeAuthKey(key: string): string {
  let k = key.trim();
  const hadScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(k);
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = k.indexOf('/');
  let host = slash === -1 ? k : k.slice(0, slash);
  let rest = slash === -1 || hadScheme ? '' : k.slice(slash).replace(/\/+$/, '');
  host = canonicalRegistry(host);
  if (host === DOCKER_HUB && rest.startsWith('/v1')) rest = '';
  return host + rest;
}

async function readSmallFile(file: string, uid: number | undefined, warnings: string[]): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the helper.
    handle = await fs.open(file, FS.O_RDONLY | FS.O_NONBLOCK | FS.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warnings.push(`cannot read ${file}: ${code ?? 'error'}`);
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      warnings.push(`ignored ${file}: not a regular file`);
      return undefined;
    }
    if (uid !== undefined && st.uid !== uid) {
      warnings.push(`ignored ${file}: owned by uid ${st.uid}, not ${uid}`);
      return undefined;
    }
    if (st.size > MAX_FILE) {
      warnings.push(`ignored ${file}: larger than ${MAX_FILE} bytes`);
      return undefined;
    }
    // Read to EOF (the size may change under us), at most MAX_FILE + 1 bytes.
    const buf = Buffer.alloc(MAX_FILE + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
      n += bytesRead;
      if (bytesRead === 0 || n === buf.length) break;
    }
    if (n > MAX_FILE) {
      warnings.push(`ignored ${file}: larger than ${MAX_FILE} bytes`);
      return undefined;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    await handle.close();
  }
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

async function parseFile(
  f: CredentialFile,
  uid: number | undefined,
  warnings: string[],
): Promise<ParsedFile | undefined> {
  const text = await readSmallFile(f.path, uid, warnings);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the file's content.
    warnings.push(`ignored ${f.path}: not valid JSON`);
    return undefined;
  }
  const root = asRecord(json);
  if (!root) {
    warnings.push(`ignored ${f.path}: not a JSON object`);
    return undefined;
  }
  const out: ParsedFile = { path: f.path, auths: new Map(), credHelpers: new Map() };
  // ~/.dockercfg is the pre-1.7 format: the auths map is the whole file.
  const auths = f.kind === 'dockercfg' ? root : asRecord(root.auths);
  for (const [key, entry] of Object.entries(auths ?? {})) {
    const e = asRecord(entry);
    if (e) out.auths.set(normalizeAuthKey(key), e);
  }
  if (typeof root.credsStore === 'string' && root.credsStore !== '') out.credsStore = root.credsStore;
  for (const [key, helper] of Object.entries(asRecord(root.credHelpers) ?? {})) {
    if (typeof helper === 'string') out.credHelpers.set(normalizeAuthKey(key), helper);
  }
  return out;
}

/** Credentials from one auth entry; undefined for an empty entry (a helper's marker). */
function entryCredentials(e: Record<string, unknown>, where: string, warnings: string[]): Credentials | undefined {
  const str = (k: string): string | undefined => (typeof e[k] === 'string' && e[k] !== '' ? e[k] : undefined);
  const c: Credentials = {};
  const auth = str('auth');
  if (auth !== undefined) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      warnings.push(`ignored ${where}: "auth" is not base64 of user:password`);
    } else {
      c.username = decoded.slice(0, colon);
      c.password = decoded.slice(colon + 1);
    }
  } else {
    const username = str('username');
    const password = str('password');
    if (username !== undefined && password !== undefined) {
      c.username = username;
      c.password = password;
    }
  }
  const identityToken = str('identitytoken');
  if (identityToken !== undefined) c.identityToken = identityToken;
  const registryToken = str('registrytoken');
  if (registryToken !== undefined) c.registryToken = registryToken;
  return c.password !== undefined || c.identityToken !== undefined || c.registryToken !== undefined ? c : undefined;
}

/** Keys to try for a registry and repository, most specific first. */
function candidateKeys(registry: string, repository?: string): string[] {
  const reg = canonicalRegistry(registry);
  const keys: string[] = [];
  const parts = repository ? repository.split('/') : [];
  for (let i = parts.length; i > 0; i--) keys.push(`${reg}/${parts.slice(0, i).join('/')}`);
  keys.push(reg);
  return keys;
}

/** Looks a registry up in parsed files. */
function lookupIn(
  files: readonly ParsedFile[],
  registry: string,
  repository: string | undefined,
  warnings: string[],
): { credentials: Credentials; source: string } | undefined {
  const keys = candidateKeys(registry, repository);
  const helperWarnings: string[] = [];
  for (const f of files) {
    for (const key of keys) {
      const entry = f.auths.get(key);
      if (!entry) continue;
      const where = `${f.path}#${key}`;
      const credentials = entryCredentials(entry, where, warnings);
      if (credentials) return { credentials, source: where };
    }
    const helper = keys.map((k) => f.credHelpers.get(k)).find((h) => h !== undefined) ?? f.credsStore;
    if (helper !== undefined) {
      helperWarnings.push(
        `${f.path} sends ${canonicalRegistry(registry)} to the credential helper "docker-credential-${helper}", ` +
          'which Berth does not run (credential helpers are not supported); log in with `podman login` or ' +
          '`skopeo login` (auth.json), or put the credentials inline in "auths"',
      );
    }
  }
  warnings.push(...helperWarnings);
  return undefined;
}

/** Reads the files once per call and looks the registry up. */
export async function lookupCredentials(
  opts: CredentialFileOptions,
  registry: string,
  repository?: string,
): Promise<CredentialLookup> {
  return credentialResolver(opts)(registry, repository);
}

/**
 * A resolver reading the files on first use (per resolver) — one pull or push
 * sees one consistent state of the files.
 */
export function credentialResolver(opts: CredentialFileOptions): CredentialResolver {
  let loaded: Promise<{ files: ParsedFile[]; warnings: string[] }> | undefined;
  const load = async (): Promise<{ files: ParsedFile[]; warnings: string[] }> => {
    const warnings: string[] = [];
    const files: ParsedFile[] = [];
    for (const f of credentialFiles(opts)) {
      const parsed = await parseFile(f, opts.uid, warnings);
      if (parsed) files.push(parsed);
    }
    return { files, warnings };
  };
  return async (registry, repository) => {
    loaded ??= load();
    const { files, warnings: fileWarnings } = await loaded;
    const warnings = [...fileWarnings];
    const found = lookupIn(files, registry, repository, warnings);
    return found ? { ...found, warnings } : { warnings };
  };
}

/** A resolver that always answers with the same credentials. */
export function staticCredentials(credentials: Credentials | undefined): CredentialResolver {
  return () => Promise.resolve(credentials ? { credentials, source: 'static', warnings: [] } : { warnings: [] });
}
