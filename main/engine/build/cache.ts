/**
 * The build cache, under `<dataRoot>/build-cache/`:
 *
 *   index.json         key → what the step produced (a layer's diffID or none) and when
 *   blobs/<hex>        layer tars the builds made (uncompressed; hard-linked into the
 *                      image store when an image uses them, so the store keeps its own)
 *   layers/<chainhex>  unpacked layers no stored image holds (intermediate stages),
 *                      made again from the blob when missing
 *   contexts/          received build contexts while a build uses them
 *
 * A key is sha256 of the parent step's key, the instruction as it runs
 * (variables substituted) and the content digests of what it copies, so a
 * rebuild with nothing changed finds every step and gives the same image.
 * A damaged index reads as empty (the cache is only ever a shortcut).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { mutexFor } from '../../shared/mutex';
import { writeJsonAtomic } from '../storage/atomic-file';
import { readRecordFile } from '../storage/record-file';
import { digestHex } from '../oci/digest';
import type { DiskSection } from '../system/disk-section';

const Entry = z.object({
  /** The layer this step made, or null for a step that changes only the config. */
  diffId: z.string().nullable(),
  size: z.number(),
  created: z.string(),
  createdBy: z.string(),
  lastUsed: z.string(),
});
const IndexDoc = z.object({ version: z.literal(1), entries: z.record(z.string(), Entry) });

export type CacheEntry = z.output<typeof Entry>;
type Index = z.output<typeof IndexDoc>;

export interface CachePaths {
  root: string;
  index: string;
  blobs: string;
  layers: string;
  contexts: string;
  /** RUN --mount=type=cache dirs: `<sha256(id)>/{id,data/}`, kept across builds. */
  mounts: string;
  /** A step's scratch (heredoc files, downloads, bind overlays), removed when the step ends. */
  tmp: string;
}

export function cachePaths(dataRoot: string): CachePaths {
  const root = path.join(dataRoot, 'build-cache');
  return {
    root,
    index: path.join(root, 'index.json'),
    blobs: path.join(root, 'blobs'),
    layers: path.join(root, 'layers'),
    contexts: path.join(root, 'contexts'),
    mounts: path.join(root, 'mounts'),
    tmp: path.join(root, 'tmp'),
  };
}

/** How stale a stored lastUsed may be before a hit rewrites it. */
export const TOUCH_GRANULARITY_MS = 60_000;

export class BuildCache {
  readonly paths: CachePaths;
  private index: Index | null = null;
  /** Whether the in-memory index differs from index.json in more than recent lastUsed times. */
  private dirty = false;

  constructor(dataRoot: string) {
    this.paths = cachePaths(dataRoot);
  }

  /** Serialises every change of this cache within the helper (one helper owns a data root). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return mutexFor(this.paths.index).run(fn);
  }

  ensureDirs(): void {
    for (const d of [
      this.paths.root,
      this.paths.blobs,
      this.paths.layers,
      this.paths.contexts,
      this.paths.mounts,
      this.paths.tmp,
    ]) {
      fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    }
  }

  private load(): Index {
    if (!this.index) {
      const r = readRecordFile(this.paths.index, IndexDoc);
      this.index = r.kind === 'ok' ? r.value : { version: 1, entries: {} };
    }
    return this.index;
  }

  get(key: string): CacheEntry | null {
    const e = this.load().entries[key];
    if (!e) return null;
    // A layer whose blob went (pruned by hand) is no hit.
    if (e.diffId !== null && !fs.existsSync(this.blobPath(e.diffId))) return null;
    return e;
  }

  put(key: string, e: CacheEntry): void {
    this.load().entries[key] = e;
    this.dirty = true;
  }

  /**
   * Marks a hit. lastUsed only orders a prune of the oldest entries, so a use
   * within TOUCH_GRANULARITY_MS of the stored time is kept in memory and not
   * written: a rebuild that hits every step writes (and fsyncs) nothing.
   */
  touch(key: string, at: string): void {
    const e = this.load().entries[key];
    if (!e) return;
    const moved = Date.parse(at) - Date.parse(e.lastUsed);
    if (!(moved < TOUCH_GRANULARITY_MS)) this.dirty = true;
    e.lastUsed = at;
  }

  /** Writes index.json when something changed since it was read or written. */
  save(): void {
    this.ensureDirs();
    if (!this.dirty) return;
    writeJsonAtomic(this.paths.index, this.load(), 0o600, 'atomic');
    this.dirty = false;
  }

  entries(): Array<[string, CacheEntry]> {
    return Object.entries(this.load().entries);
  }

  remove(keys: readonly string[]): void {
    const idx = this.load();
    for (const k of keys)
      if (k in idx.entries) {
        delete idx.entries[k];
        this.dirty = true;
      }
  }

  blobPath(diffId: string): string {
    return path.join(this.paths.blobs, digestHex(diffId));
  }

  layerDir(chainId: string): string {
    return path.join(this.paths.layers, digestHex(chainId));
  }

  /** Forget what was read: the next access reads index.json again. */
  reload(): void {
    this.index = null;
    this.dirty = false;
  }
}

function sizeOf(p: string): number {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const name of fs.readdirSync(p)) n += sizeOf(path.join(p, name));
  return n;
}

/**
 * The build cache as `system df` / `system prune` see it. An entry is
 * "active" while an image in the store shares its layer blob (the store hard
 * links it): pruning it then frees nothing of the blob. Without `all`, prune
 * offers only the entries no stored image shares, as `docker builder prune`
 * offers only dangling cache.
 */
export function buildCacheSection(dataRoot: string): DiskSection {
  const cache = new BuildCache(dataRoot);
  const describe = (): Array<{
    id: string;
    name: string;
    sizeBytes: number;
    active: boolean;
    diffId: string | null;
  }> => {
    cache.reload();
    return cache.entries().map(([key, e]) => {
      const blob = e.diffId === null ? undefined : fs.statSync(cache.blobPath(e.diffId), { throwIfNoEntry: false });
      return {
        id: key,
        name: e.createdBy,
        sizeBytes: blob?.size ?? 0,
        active: blob !== undefined && blob.nlink > 1,
        diffId: e.diffId,
      };
    });
  };
  /** RUN --mount=type=cache dirs: never shared with an image, so always reclaimable. */
  const cacheMounts = (): Array<{ id: string; name: string; sizeBytes: number; dir: string }> => {
    const root = cache.paths.mounts;
    if (!fs.existsSync(root)) return [];
    return fs
      .readdirSync(root)
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .map((n) => {
        const dir = path.join(root, n);
        let id = n;
        try {
          id = fs.readFileSync(path.join(dir, 'id'), 'utf8');
        } catch {
          // A dir whose id file is gone still counts; it is named by its hash.
        }
        return { id: `mount:${n}`, name: `RUN --mount=type=cache,id=${id}`, sizeBytes: sizeOf(dir), dir };
      });
  };
  return {
    kind: 'build-cache',
    async usage() {
      return cache.run(async () => {
        const all = describe();
        const layerDirs = sizeOf(cache.paths.layers);
        const mounts = cacheMounts().reduce((n, m) => n + m.sizeBytes, 0);
        const size = all.reduce((s, e) => s + e.sizeBytes, 0) + layerDirs + mounts;
        const reclaimable = all.filter((e) => !e.active).reduce((s, e) => s + e.sizeBytes, 0) + layerDirs + mounts;
        return {
          count: all.length + cacheMounts().length,
          active: all.filter((e) => e.active).length,
          sizeBytes: size,
          reclaimableBytes: reclaimable,
        };
      });
    },
    async plan(opts) {
      return cache.run(async () =>
        describe()
          .filter((e) => opts.all || !e.active)
          .map(({ id, name, sizeBytes }) => ({ id, name, sizeBytes }))
          .concat(cacheMounts().map(({ id, name, sizeBytes }) => ({ id, name, sizeBytes }))),
      );
    },
    async prune(ids) {
      return cache.run(async () => {
        const all = describe();
        const wanted = new Set(ids);
        const removed = all.filter((e) => wanted.has(e.id));
        cache.remove(removed.map((e) => e.id));
        const stillUsed = new Set(
          cache
            .entries()
            .map(([, e]) => e.diffId)
            .filter((d): d is string => d !== null),
        );
        let reclaimed = 0;
        for (const e of removed) {
          if (e.diffId === null || stillUsed.has(e.diffId)) continue;
          const blob = cache.blobPath(e.diffId);
          const st = fs.statSync(blob, { throwIfNoEntry: false });
          if (st) {
            if (st.nlink === 1) reclaimed += st.size;
            fs.rmSync(blob, { force: true });
            stillUsed.add(e.diffId); // removed once
          }
        }
        // Unpacked intermediate layers are rebuilt from blobs on demand: a prune drops them all.
        const mountsRemoved: string[] = [];
        for (const m of cacheMounts()) {
          if (!wanted.has(m.id)) continue;
          reclaimed += m.sizeBytes;
          fs.rmSync(m.dir, { recursive: true, force: true });
          mountsRemoved.push(m.id);
        }
        reclaimed += sizeOf(cache.paths.layers);
        fs.rmSync(cache.paths.layers, { recursive: true, force: true });
        cache.save();
        return { removed: [...removed.map((e) => e.id), ...mountsRemoved], reclaimedBytes: reclaimed };
      });
    },
  };
}
