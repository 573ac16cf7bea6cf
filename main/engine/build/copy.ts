/**
 * COPY and ADD: which files a source names (globs, directories, symlinks
 * resolved inside the context or image), where they land (docker's rules for
 * a destination ending in `/`, an existing directory, several sources), the
 * digest of their contents for the cache key, and the tar entries of the
 * layer. A source leaving the context is refused naming the line.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';
import type { DockerIgnore } from '../../shared/dockerignore';
import type { TarWriteEntry } from '../oci/tar/writer';
import { openDecompressed } from '../oci/compression';
import { readTar } from '../oci/tar/reader';
import { entryFor } from './layer-writer';
import type { MergedView } from './merged-view';

/** One file to copy: where it is on the host and its path below the destination. */
export interface CopyItem {
  abs: string;
  st: fs.Stats;
  /** Path relative to the destination ('' = the destination itself). */
  rel: string;
}

export interface CopySource {
  /** The source as written, for messages. */
  name: string;
  /** Its in-root path after symlinks resolved. */
  resolved: string;
  isDir: boolean;
  /** What it copies; a directory's tree is walked when first read. */
  readonly items: CopyItem[];
}

const GLOB = /[*?[]/;

function globToRe(glob: string): RegExp {
  let re = '^';
  for (const c of glob) {
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

function walkView(view: MergedView, rel: string, ignore: DockerIgnore | null, out: string[]): void {
  for (const name of view.readdir(rel)) {
    const r = rel ? `${rel}/${name}` : name;
    if (ignore?.ignores(r)) continue;
    out.push(r);
    const f = view.lookup(r);
    if (f?.st.isDirectory()) walkView(view, r, ignore, out);
  }
}

/**
 * The files of one source. `fromContext`: sources are relative to the
 * context, may not climb out of it and skip what .dockerignore names.
 */
export function collectSource(
  view: MergedView,
  src: string,
  o: { line: number; fromContext: boolean; ignore: DockerIgnore | null },
): CopySource[] {
  const clean = path.posix.normalize(src.startsWith('/') ? src.slice(1) || '.' : src);
  if (o.fromContext && (clean === '..' || clean.startsWith('../'))) {
    throw new BerthError('BUILD_SOURCE_OUTSIDE_CONTEXT', `line ${o.line}: ${src} is outside the build context`, {
      line: o.line,
      source: src,
    });
  }
  const rel = clean === '.' ? '' : clean;
  let names: string[];
  if (GLOB.test(rel)) {
    const all: string[] = [];
    walkView(view, '', o.ignore, all);
    const re = globToRe(rel);
    names = all.filter((n) => re.test(n));
  } else names = [rel];
  const out: CopySource[] = [];
  for (const n of names) {
    if (o.ignore && n !== '' && o.ignore.ignores(n)) continue;
    const resolved = view.resolve(n);
    const f =
      resolved === ''
        ? { abs: view.lowerDirs[0] as string, st: fs.statSync(view.lowerDirs[0] as string) }
        : view.lookup(resolved);
    if (!f) continue;
    if (f.st.isDirectory()) {
      // Walked on first use: a cached `COPY --from` keys on names only and never needs the tree.
      let items: CopyItem[] | undefined;
      out.push({
        name: n,
        resolved,
        isDir: true,
        get items(): CopyItem[] {
          return (items ??= dirItems(view, resolved, o.ignore));
        },
      });
    } else out.push({ name: n, resolved, isDir: false, items: [{ abs: f.abs, st: f.st, rel: '' }] });
  }
  if (out.length === 0) {
    throw new BerthError('BUILD_SOURCE_NOT_FOUND', `line ${o.line}: ${src}: no such file or directory`, {
      line: o.line,
      source: src,
    });
  }
  return out;
}

function dirItems(view: MergedView, resolved: string, ignore: DockerIgnore | null): CopyItem[] {
  const rels: string[] = [];
  walkView(view, resolved, ignore, rels);
  const items: CopyItem[] = [];
  for (const r of rels) {
    const g = view.lookup(r);
    if (g) items.push({ abs: g.abs, st: g.st, rel: r.slice(resolved ? resolved.length + 1 : 0) });
  }
  return items;
}

/** sha256 over paths, types, modes, link targets and file contents: the cache key's part for these sources. */
export function contentDigest(sources: readonly CopySource[]): string {
  const h = crypto.createHash('sha256');
  for (const s of sources) {
    h.update(`src ${s.name} ${s.isDir ? 'dir' : 'file'}\n`);
    for (const it of s.items) {
      const kind = it.st.isDirectory() ? 'd' : it.st.isSymbolicLink() ? 'l' : it.st.isFile() ? 'f' : 'o';
      h.update(`${kind} ${it.rel} ${it.st.mode & 0o7777} ${it.st.size}\n`);
      if (kind === 'l') h.update(fs.readlinkSync(it.abs));
      if (kind === 'f') h.update(fs.readFileSync(it.abs));
    }
  }
  return h.digest('hex');
}

export interface Owner {
  uid: number;
  gid: number;
}

/** uid[:gid] or names from the image's /etc/passwd and /etc/group (read through the view). */
export function resolveChown(spec: string, view: MergedView, line: number): Owner {
  const [u = '', g] = spec.split(':');
  const table = (file: string): Map<string, { id: number; gid: number }> => {
    const m = new Map<string, { id: number; gid: number }>();
    const f = view.lookup(view.resolve(file));
    if (!f || !f.st.isFile()) return m;
    for (const l of fs.readFileSync(f.abs, 'utf8').split('\n')) {
      const p = l.split(':');
      if (p.length >= 3 && p[0]) m.set(p[0], { id: Number(p[2]), gid: Number(p[3] ?? p[2]) });
    }
    return m;
  };
  const num = (s: string): number | null => (/^\d+$/.test(s) ? Number(s) : null);
  let uid = num(u);
  let gid: number | null = null;
  if (uid === null) {
    const e = table('etc/passwd').get(u);
    if (!e) throw new BerthError('BUILD_SYNTAX', `line ${line}: --chown: no user ${u} in the image`, { line });
    uid = e.id;
    gid = e.gid;
  }
  if (g !== undefined && g !== '') {
    gid = num(g);
    if (gid === null) {
      const e = table('etc/group').get(g);
      if (!e) throw new BerthError('BUILD_SYNTAX', `line ${line}: --chown: no group ${g} in the image`, { line });
      gid = e.id;
    }
  }
  return { uid, gid: gid ?? uid };
}

/** A directory the copy makes (not in the image): owned by `owner`, stamped now. */
export function madeDirEntry(rel: string, owner: Owner, mode = 0o755): TarWriteEntry {
  return { path: `${rel}/`, type: 'dir', mode, uid: owner.uid, gid: owner.gid, mtime: Math.floor(Date.now() / 1000) };
}

/** The parent directories of `destRel` as layer entries: kept as the image has them, made 0755 when missing. */
export function parentEntries(view: MergedView, destRel: string, made: Owner): TarWriteEntry[] {
  const parts = destRel.split('/').filter(Boolean);
  const out: TarWriteEntry[] = [];
  for (let i = 1; i < parts.length; i++) {
    const p = parts.slice(0, i).join('/');
    const f = view.lookup(p);
    out.push(f && f.st.isDirectory() ? entryFor(f.abs, f.st, `${p}/`) : madeDirEntry(p, made));
  }
  return out;
}

/** The layer entries of one COPY: sources placed under their destinations. */
export function* copyEntries(
  placed: ReadonlyArray<{ source: CopySource; dest: string }>,
  o: { owner: Owner | null; mode: number | null; destDirMade: Owner | null; view: MergedView },
): Generator<TarWriteEntry> {
  const links = new Map<string, string>();
  const seenDirs = new Set<string>();
  for (const { source, dest } of placed) {
    for (const it of source.items) {
      const name = it.rel ? `${dest}/${it.rel}` : dest;
      if (it.rel === '' && it.st.isDirectory()) continue;
      const isDir = it.st.isDirectory();
      yield entryFor(it.abs, it.st, isDir ? `${name}/` : name, {
        ...(o.owner ? { uid: o.owner.uid, gid: o.owner.gid } : { uid: 0, gid: 0 }),
        ...(o.mode !== null ? { mode: o.mode } : {}),
        links,
      });
      if (isDir) seenDirs.add(name);
    }
    if (source.isDir && !seenDirs.has(dest)) {
      // The destination directory of a directory source: made (or kept) with the copy's owner.
      const f = o.view.lookup(dest);
      seenDirs.add(dest);
      if (!f && o.destDirMade) {
        yield madeDirEntry(dest, o.destDirMade, o.mode ?? 0o755);
      }
    }
  }
}

/** Whether a local file is a tar ADD unpacks (plain, gzip or zstd). */
export function isTarArchive(abs: string): boolean {
  const fd = fs.openSync(abs, 'r');
  try {
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
    if (n >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return true;
    return n === 512 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    fs.closeSync(fd);
  }
}

/** A local tar's entries moved under `destRel` (owners and modes as the archive has them, as docker's ADD). */
export async function* tarEntriesUnder(abs: string, destRel: string): AsyncGenerator<TarWriteEntry> {
  const { stream } = await openDecompressed(fs.createReadStream(abs));
  const under = (p: string): string => (p === '.' ? destRel : `${destRel}/${p.replace(/^\/+/, '')}`);
  for await (const e of readTar(stream)) {
    if (e.path.split('/').includes('..')) {
      await e.skip();
      continue;
    }
    const base: TarWriteEntry = {
      path: under(e.path),
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      mtime: Math.floor(e.mtime),
      type: e.type,
    };
    if (e.xattrs.size > 0) base.xattrs = e.xattrs;
    if (e.type === 'file') yield { ...base, size: e.size, body: e.body() };
    else if (e.type === 'hardlink') yield { ...base, linkname: under(e.linkname) };
    else if (e.type === 'symlink') yield { ...base, linkname: e.linkname };
    else if (e.type === 'char' || e.type === 'block') yield { ...base, devmajor: e.devmajor, devminor: e.devminor };
    else yield base;
  }
}
