/**
 * One file of an image as of a layer (the Layer inspector's file preview):
 * the first bytes of a regular file, or what a non-regular entry is (link
 * target, device numbers, a directory), or which layer removed it.
 *
 * Works on layer blobs as stored, without root and without extracting:
 * layers are searched from the selected one down (the topmost entry for
 * the path wins, as in the merged tree), a whiteout or an opaque directory
 * above it ends the search as "removed". A plain blob lying in a file is
 * listed from its headers by range (bodies skipped); a gzip/zstd one is
 * streamed through the decompressor only up to the member, and the body is
 * read only up to the cap, after which the stream is dropped.
 *
 * Hostile input: the path is cleaned like a member path and one that climbs
 * above the root is LAYER_PATH_ESCAPE (nothing here touches the host's
 * files anyway); a body is never held past `maxBytes`; a member that claims
 * more bytes than the stream holds is TAR_TRUNCATED from the tar reader
 * (for a plain range before any byte of it is read).
 */
import fs from 'node:fs';
import { detectCompression, openDecompressed } from '../oci/compression';
import { cleanComponents } from '../oci/paths';
import { RangeByteReader } from '../oci/range-reader';
import { BLOCK, type TarEntryType } from '../oci/tar/format';
import { readTar, type TarEntry } from '../oci/tar/reader';
import { classifyWhiteout } from '../oci/whiteout';
import { BerthError } from '../../../preload/errors';
import { MAX_FILE_READ_BYTES, type LayerFileContentT } from '../../../preload/schemas/images';

export { MAX_FILE_READ_BYTES };

export interface LayerBlobSource {
  /** The blob as stored (plain, gzip or zstd), from its first byte. */
  open(): AsyncIterable<Uint8Array>;
  /** Where the blob lies in a file, for listing a plain one by range. */
  range?: { file: string; offset: number; size: number };
}

interface EntryFacts {
  /** Cleaned absolute path ("/etc/passwd"). */
  path: string;
  /** Layer index (0 = bottom) whose entry this is. */
  layer: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

export type LayerFile =
  | (EntryFacts & {
      kind: 'file';
      /** The size the member declares. */
      size: number;
      /** The first min(size, maxBytes) bytes. */
      data: Buffer;
      truncated: boolean;
    })
  | (EntryFacts & { kind: 'symlink' | 'hardlink'; linkname: string })
  | (EntryFacts & { kind: 'char' | 'block' | 'fifo'; devmajor: number; devminor: number })
  | (EntryFacts & { kind: 'dir' })
  | {
      kind: 'removed';
      path: string;
      /** The layer that removed it. */
      layer: number;
      /** A whiteout of the path or of a parent; an opaque parent; a parent replaced by a non-directory. */
      by: 'whiteout' | 'opaque' | 'replaced';
      /** The member that did it (".wh.motd", "var/cache/.wh..wh..opq", "opt"). */
      entry: string;
    };

/** The requested path as components under the root; LAYER_PATH_ESCAPE when it climbs out. */
export function cleanRequestedPath(p: string): string[] {
  if (p.includes('\0')) throw new BerthError('LAYER_PATH_ESCAPE', 'NUL byte in a path', { path: p.slice(0, 200) });
  if (!p.startsWith('/')) {
    throw new BerthError('LAYER_PATH_ESCAPE', `${JSON.stringify(p.slice(0, 200))} is not an absolute path`, {
      path: p.slice(0, 200),
    });
  }
  return cleanComponents(p, p.slice(0, 200), 'LAYER_PATH_ESCAPE');
}

/** A member path cleaned the same way, or null for one that escapes (never addressable). */
function memberPath(p: string): string | null {
  if (!p.startsWith('/') && !p.includes('..') && p !== '.') return p;
  try {
    return cleanComponents(p, p).join('/');
  } catch {
    return null;
  }
}

function under(path: string, dir: string): boolean {
  return dir === '' || (path.length > dir.length && path.startsWith(dir) && path.charCodeAt(dir.length) === 47);
}

type LayerHit =
  | { found: LayerFile }
  | { removed: Extract<LayerFile, { kind: 'removed' }> }
  | { hidden: Extract<LayerFile, { kind: 'removed' }> }
  | null;

async function readBody(e: TarEntry, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  if (max > 0) {
    for await (const c of e.body()) {
      const take = Math.min(c.length, max - got);
      parts.push(take === c.length ? c : c.subarray(0, take));
      got += take;
      if (got >= max) break; // the rest is never read, nor decompressed
    }
  }
  return Buffer.concat(parts, got);
}

function describe(e: TarEntry, path: string, layer: number, data: Buffer | null): LayerFile {
  const facts: EntryFacts = { path, layer, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
  const type: TarEntryType = e.type;
  switch (type) {
    case 'file':
      return {
        ...facts,
        kind: 'file',
        size: e.size,
        data: data ?? Buffer.alloc(0),
        truncated: (data?.length ?? 0) < e.size,
      };
    case 'symlink':
    case 'hardlink':
      return { ...facts, kind: type, linkname: e.linkname };
    case 'char':
    case 'block':
    case 'fifo':
      return { ...facts, kind: type, devmajor: e.devmajor, devminor: e.devminor };
    case 'dir':
      return { ...facts, kind: 'dir' };
  }
}

/** The entries of one layer blob: by range for a plain blob in a file, else streamed and decompressed. */
async function* layerEntries(src: LayerBlobSource): AsyncGenerator<TarEntry> {
  if (src.range) {
    const { file, offset, size } = src.range;
    const fh = await fs.promises.open(file, 'r');
    try {
      const head = Buffer.alloc(Math.min(BLOCK, size));
      await fh.read(head, 0, head.length, offset);
      if (detectCompression(head) === 'none') {
        yield* readTar(new RangeByteReader(fh, offset, size), { totalSize: size, drain: false });
        return;
      }
    } finally {
      await fh.close();
    }
  }
  const raw = src.open();
  try {
    const { stream } = await openDecompressed(raw);
    yield* readTar(stream, { drain: false });
  } finally {
    // Stopping early (the member was found): drop the file stream under the decompressor too.
    (raw as { destroy?: () => void }).destroy?.();
  }
}

/** Looks for `target` in one layer; null when the layer neither has nor hides it. */
async function searchLayer(src: LayerBlobSource, target: string, layer: number, max: number): Promise<LayerHit> {
  const abs = `/${target}`;
  let removed: Extract<LayerFile, { kind: 'removed' }> | null = null;
  let hidden: Extract<LayerFile, { kind: 'removed' }> | null = null;
  for await (const e of layerEntries(src)) {
    const p = memberPath(e.path);
    if (p === null) continue;
    if (p === target || (target === '' && p === '.')) {
      const data = e.type === 'file' ? await readBody(e, max) : null;
      return { found: describe(e, abs, layer, data) };
    }
    const slash = p.lastIndexOf('/');
    const dir = slash < 0 ? '' : p.slice(0, slash);
    const w = classifyWhiteout(p.slice(slash + 1));
    if (w.kind === 'whiteout') {
      const gone = dir === '' ? w.name : `${dir}/${w.name}`;
      if (gone === target || under(target, gone))
        removed ??= { kind: 'removed', path: abs, layer, by: 'whiteout', entry: p };
    } else if (w.kind === 'opaque') {
      // Hides the lower layers' entries under dir; this layer's own stay.
      if (under(target, dir)) hidden ??= { kind: 'removed', path: abs, layer, by: 'opaque', entry: p };
    } else if (e.type !== 'dir' && under(target, p)) {
      // A parent is a file (or link) in this layer: nothing lies below it any more.
      removed ??= { kind: 'removed', path: abs, layer, by: 'replaced', entry: p };
    }
  }
  if (removed) return { removed };
  return hidden ? { hidden } : null;
}

/**
 * The file at `path` as of layer `index` (layers bottom first). Throws
 * LAYER_PATH_ESCAPE, LAYER_INDEX_INVALID, LAYER_PATH_NOT_FOUND, and what
 * reading a layer throws (TAR_*, COMPRESSION_BAD).
 */
export async function readLayerFile(
  layers: readonly LayerBlobSource[],
  index: number,
  path: string,
  opts: { maxBytes?: number; signal?: AbortSignal } = {},
): Promise<LayerFile> {
  const comps = cleanRequestedPath(path);
  if (!Number.isInteger(index) || index < 0 || index >= layers.length) {
    throw new BerthError('LAYER_INDEX_INVALID', `no layer ${index} (the image has ${layers.length})`, {
      layer: index,
      layers: layers.length,
    });
  }
  const max = Math.max(0, Math.min(opts.maxBytes ?? MAX_FILE_READ_BYTES, MAX_FILE_READ_BYTES));
  const target = comps.join('/');
  for (let i = index; i >= 0; i--) {
    opts.signal?.throwIfAborted();
    const hit = await searchLayer(layers[i] as LayerBlobSource, target, i, max);
    if (!hit) continue;
    if ('found' in hit) return hit.found;
    return 'removed' in hit ? hit.removed : hit.hidden;
  }
  throw new BerthError('LAYER_PATH_NOT_FOUND', `/${target} is not in layer ${index + 1} nor below it`, {
    path: `/${target}`,
    layer: index,
  });
}

/** The contract's form: the bytes as base64. */
export function layerFileToWire(f: LayerFile): LayerFileContentT {
  if (f.kind !== 'file') return f;
  const { data, ...rest } = f;
  return { ...rest, data: data.toString('base64') };
}
