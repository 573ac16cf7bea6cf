/**
 * Layer tars a build makes: the changes a RUN left in its container's
 * overlay upper dir (whiteouts become `.wh.` entries, opaque dirs
 * `.wh..wh..opq`, hard links inside the layer stay links), and the files a
 * COPY or ADD puts in place. Written uncompressed, hashed as they stream:
 * the digest is the diffID and the blob digest at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DigestTap, type Digest } from '../oci/digest';
import { tarChunks, type TarWriteEntry } from '../oci/tar/writer';
import { lgetxattr, llistxattr } from '../../../native/index';
import { pipeToFile } from '../../shared/pipe-to-file';

export interface WrittenLayer {
  diffId: Digest;
  size: number;
}

/** Each path once (the first entry wins): tools refuse layers with duplicate paths (containers/storage does). */
async function* unique(entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>): AsyncGenerator<TarWriteEntry> {
  const seen = new Set<string>();
  for await (const e of entries) {
    const key = e.path.replace(/\/+$/, '');
    if (seen.has(key)) continue;
    seen.add(key);
    yield e;
  }
}

/** Streams `entries` as a tar into `file` (created 0600), returning its digest and size. */
export async function writeLayer(
  file: string,
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
): Promise<WrittenLayer> {
  const tap = new DigestTap();
  await pipeToFile(file, tap.tap(tarChunks(unique(entries))), { mode: 0o600 });
  return { diffId: tap.digest(), size: tap.bytes };
}

/** The body of a regular file, read when the tar writer reaches it. */
function fileBody(abs: string): AsyncIterable<Uint8Array> {
  return fs.createReadStream(abs, { highWaterMark: 256 * 1024 });
}

/** Security xattrs worth keeping in a layer (file capabilities); overlay's own are not. */
function keptXattrs(abs: string): Record<string, Uint8Array> | undefined {
  let names: string[];
  try {
    names = llistxattr(abs);
  } catch {
    return undefined;
  }
  const out: Record<string, Uint8Array> = {};
  for (const n of names) {
    if (n !== 'security.capability' && !n.startsWith('user.')) continue;
    const v = lgetxattr(abs, n);
    if (v) out[n] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function isOpaqueDir(abs: string): boolean {
  try {
    return lgetxattr(abs, 'trusted.overlay.opaque')?.toString() === 'y';
  } catch {
    return false;
  }
}

/** One host file as a tar entry at `name`; owner and mode may be overridden. */
export function entryFor(
  abs: string,
  st: fs.Stats,
  name: string,
  o: { uid?: number; gid?: number; mode?: number; links?: Map<string, string> } = {},
): TarWriteEntry {
  const base: TarWriteEntry = {
    path: name,
    mode: o.mode ?? st.mode & 0o7777,
    uid: o.uid ?? st.uid,
    gid: o.gid ?? st.gid,
    mtime: Math.floor(st.mtimeMs / 1000),
  };
  const xattrs = keptXattrs(abs);
  if (xattrs) base.xattrs = xattrs;
  if (st.isDirectory()) return { ...base, type: 'dir' };
  if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkname: fs.readlinkSync(abs) };
  if (st.isFIFO()) return { ...base, type: 'fifo' };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return {
      ...base,
      type: st.isCharacterDevice() ? 'char' : 'block',
      devmajor: Math.floor(st.rdev / 256) & 0xfff,
      devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
    };
  }
  if (o.links && st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = o.links.get(key);
    if (first !== undefined) return { ...base, type: 'hardlink', linkname: first };
    o.links.set(key, name);
  }
  return { ...base, type: 'file', size: st.size, body: fileBody(abs) };
}

/**
 * What a container changed, from its overlay upper dir, in path order.
 * `skip` names paths (no leading slash) the runtime itself made there
 * (mount points of /etc/hosts and the like), left out as docker does.
 */
export function* upperDirEntries(upper: string, skip: ReadonlySet<string> = new Set()): Generator<TarWriteEntry> {
  const links = new Map<string, string>();
  function* walk(rel: string): Generator<TarWriteEntry> {
    const dir = path.join(upper, rel);
    for (const name of fs.readdirSync(dir).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip.has(r)) continue;
      const abs = path.join(dir, name);
      const st = fs.lstatSync(abs);
      if (st.isCharacterDevice() && st.rdev === 0) {
        yield {
          path: rel ? `${rel}/.wh.${name}` : `.wh.${name}`,
          type: 'file',
          mode: 0o644,
          mtime: Math.floor(st.mtimeMs / 1000),
        };
        continue;
      }
      if (st.isDirectory()) {
        yield entryFor(abs, st, `${r}/`);
        if (isOpaqueDir(abs))
          yield { path: `${r}/.wh..wh..opq`, type: 'file', mode: 0o644, mtime: Math.floor(st.mtimeMs / 1000) };
        yield* walk(r);
        continue;
      }
      yield entryFor(abs, st, r, { links });
    }
  }
  yield* walk('');
}
