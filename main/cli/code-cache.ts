/**
 * Runs the CLI bundle (one CommonJS file, out/main/cli.cjs) through
 * `vm.Script` with a V8 code cache kept in the user's cache dir, so a start
 * deserialises the bytecode the last run compiled instead of parsing and
 * compiling ≈ 1 MB of JavaScript again. Node 20 keeps no compile cache of
 * its own (that came in Node 22), and none at all for ES modules, which is
 * why the CLI has a CommonJS bundle of its own (electron.vite.config.ts).
 *
 * The cache file is named by the CRC-32 and length of the bundle's bytes, the
 * Node version, the architecture and the group (`build`, which `berth build`
 * loads alone, or `cli` for every other command), so a changed bundle or Node
 * does not meet an old cache; V8 checks its own version, the source's length
 * and the flags and rejects the rest,
 * and a rejected or unreadable cache is just a slower start that writes a
 * new one. Bytecode is code: a cache file is used only when the user running
 * the CLI owns it and nobody else can write it, and only in a directory
 * whose every ancestor is this user's or root's and writable by no one else,
 * so root (`sudo` keeping a user's HOME) never runs bytecode a user wrote nor
 * writes where a user's symlink points. The CRC guards against a rebuilt
 * bundle, not an attacker (who cannot write the cache dir): it is zlib's,
 * ≈ 0.2 ms for the ≈ 1 MB bundle with zlib loaded in ≈ 0.5 ms, where loading
 * node:crypto and a sha256 cost ≈ 2.4 ms of every start (and the bundle
 * requires node:crypto only when used; zlib.crc32 is in every Node Berth
 * supports, ≥ 20.19).
 */
import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';

/** What happened to the cache: used, none yet, refused by V8, or no cache dir. */
export type CacheState = 'hit' | 'miss' | 'rejected' | 'off';

export interface PreparedScript {
  state: CacheState;
  /** The cache file this run reads and writes (null when state is off). */
  cacheFile: string | null;
  /** Runs the bundle as a CommonJS module. */
  run(): void;
  /** Writes the cache from what has been compiled so far; a failure is ignored. */
  save(): void;
}

/** `$XDG_CACHE_HOME/berth`, else `~/.cache/berth`; null when neither is known. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'berth');
  const home = env['HOME'];
  return home && path.isAbsolute(home) ? path.join(home, '.cache', 'berth') : null;
}

/**
 * Whether `dir` (or, while it does not exist, the part of it that does) and
 * every directory above it belong to this user or root and are writable by
 * no one else. Symlinks are resolved first, so their targets are what is checked.
 */
export function trustedDir(dir: string): boolean {
  const uid = process.geteuid?.();
  let existing = path.resolve(dir);
  for (;;) {
    try {
      existing = fs.realpathSync(existing);
      break;
    } catch {
      const up = path.dirname(existing);
      if (up === existing) return false;
      existing = up;
    }
  }
  for (let d = existing; ; d = path.dirname(d)) {
    const st = fs.statSync(d, { throwIfNoEntry: false });
    if (!st || !st.isDirectory() || (st.uid !== uid && st.uid !== 0) || (st.mode & 0o022) !== 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

/** The cache's bytes when this user owns the file and only they can write it; else undefined. */
function readOwnFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== process.geteuid?.() || (st.mode & 0o022) !== 0) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The bundle's identity in a cache file's name: its bytes, this Node and the group. */
export function cacheName(bytes: Buffer, group: string): string {
  const crc = zlib.crc32(`\0${process.version}\0${process.arch}\0${group}`, zlib.crc32(bytes));
  return `${bytes.length.toString(16)}-${crc.toString(16).padStart(8, '0')}`;
}

/** Loads `file` and its cache (if any) and compiles it; nothing runs until `run()`. */
export function prepareScript(file: string, o: { cacheDir: string | null; group: string }): PreparedScript {
  const bytes = fs.readFileSync(file);
  // The bundles are emitted ASCII-only: decoding as latin1 is then exact and skips UTF-8 decoding.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const prefix = `${o.group}-`;
  const cacheFile = o.cacheDir === null ? null : path.join(o.cacheDir, `${prefix}${cacheName(bytes, o.group)}.v8`);
  const cachedData = cacheFile === null ? undefined : readOwnFile(cacheFile);
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    ...(cachedData !== undefined ? { cachedData } : {}),
  });
  const state: CacheState =
    cacheFile === null ? 'off' : cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  return {
    state,
    cacheFile,
    run() {
      const fn = script.runInThisContext() as (
        exports: unknown,
        require: NodeJS.Require,
        module: { exports: unknown },
        filename: string,
        dirname: string,
      ) => void;
      const mod = { exports: {} };
      fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
    },
    save() {
      if (cacheFile === null || o.cacheDir === null) return;
      const dir = o.cacheDir;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        const data = script.createCachedData();
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(tmp, data, { flag: 'wx', mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
        // The group's caches of other bundles or Node versions are dead: one file per group stays.
        for (const n of fs.readdirSync(dir)) {
          if (n.startsWith(prefix) && n.endsWith('.v8') && path.join(dir, n) !== cacheFile) {
            fs.rmSync(path.join(dir, n), { force: true });
          }
        }
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // No cache dir at all: nothing was written.
        }
      }
    },
  };
}

/**
 * Commands with a cache of their own: the ones main/cli/main.ts loads alone
 * (`ALONE`), whose runs compile a different part of the bundle.
 */
const OWN_CACHE = new Set(['build']);

/** The `berth` command: runs the bundle, writing the cache at exit when it was not used. */
export function launch(bundle: string, argv: readonly string[] = process.argv.slice(2)): void {
  const first = argv[0] ?? '';
  const dir = process.env['BERTH_NO_CODE_CACHE'] ? null : codeCacheDir();
  const p = prepareScript(bundle, {
    cacheDir: dir !== null && trustedDir(dir) ? dir : null,
    group: OWN_CACHE.has(first) ? first : 'cli',
  });
  // At exit, so the cache holds every function this run compiled, not just the top level.
  if (p.state === 'miss' || p.state === 'rejected') process.once('exit', () => p.save());
  p.run();
}
