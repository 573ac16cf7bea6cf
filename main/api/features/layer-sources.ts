/**
 * What an open analysis was read from, for `layers.readFile` (the Layer
 * inspector's file preview): each `layers.summarize*` answer carries a
 * `sourceId` naming
 *  - an archive file the user named (Electron's dropped path): main reads it
 *    again as the user; a file whose size, mtime or inode changed since the
 *    analysis, or whose plan names another config, is LAYER_SOURCE_GONE;
 *  - an upload (web mode), kept after its analysis instead of removed: the
 *    file stays in the uploads' private 0700 dir, owned here, and is removed
 *    when its source goes;
 *  - an image of the store, by manifest digest (a retag cannot change what
 *    it names): the helper reads its blobs (`layers.readImageFile`).
 *
 * Bounded: at most `maxEntries` sources (the oldest goes first), kept
 * uploads together at most `maxOwnedBytes` (oldest first), and each source
 * until it has been idle `idleMs` (a read touches it). A gone source is
 * LAYER_SOURCE_GONE: the page analyses again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { BerthError } from '../../../preload/errors';
import { MAX_UPLOAD_BYTES } from '../../../preload/schemas/uploads';
import { ArchiveIndex } from '../../engine/oci/archive-index';
import { planImage } from '../../engine/oci/image-source';
import type { LayerBlobSource } from '../../engine/layers/file-read';

export const SOURCE_IDLE_MS = 10 * 60 * 1000;

export type LayerSource =
  | {
      kind: 'archive';
      file: string;
      image?: string | number;
      configDigest: string;
      /** An upload's file, removed with the source. */
      owned: boolean;
      size: number;
      stamp: string;
    }
  | { kind: 'image'; ref: string };

interface Entry {
  source: LayerSource;
  lastUsed: number;
  /** The archive's layers, planned on the first read. */
  layers?: Promise<LayerBlobSource[]>;
}

export interface LayerSourcesOptions {
  maxEntries?: number;
  maxOwnedBytes?: number;
  idleMs?: number;
  now?: () => number;
}

function gone(id: string, why: string): BerthError {
  return new BerthError('LAYER_SOURCE_GONE', `${why}; analyse it again`, { sourceId: id.slice(0, 64) });
}

const stampOf = (st: fs.Stats): string => `${st.size}:${st.mtimeMs}:${st.dev}:${st.ino}`;

export class LayerSources {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxOwnedBytes: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(opts: LayerSourcesOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 4;
    this.maxOwnedBytes = opts.maxOwnedBytes ?? MAX_UPLOAD_BYTES;
    this.idleMs = opts.idleMs ?? SOURCE_IDLE_MS;
    this.now = opts.now ?? Date.now;
  }

  /** An analysed archive file; `owned` files (kept uploads) are removed when the source goes. */
  async addArchive(
    file: string,
    p: { image?: string | number; configDigest: string; owned: boolean },
  ): Promise<string> {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch (err) {
      if (p.owned) await fs.promises.rm(file, { force: true });
      throw err;
    }
    const source: LayerSource = {
      kind: 'archive',
      file,
      configDigest: p.configDigest,
      owned: p.owned,
      size: st.size,
      stamp: stampOf(st),
    };
    if (p.image !== undefined) source.image = p.image;
    return this.add(source);
  }

  /** An analysed image of the store (a manifest digest or image ID: what it names never changes). */
  addImage(ref: string): Promise<string> {
    return this.add({ kind: 'image', ref });
  }

  get size(): number {
    return this.entries.size;
  }

  private async add(source: LayerSource): Promise<string> {
    await this.sweep();
    const id = crypto.randomBytes(16).toString('hex');
    this.entries.set(id, { source, lastUsed: this.now() });
    while (this.entries.size > this.maxEntries) await this.drop(this.entries.keys().next().value as string);
    // Kept uploads within their byte budget, oldest first (a single one over it is not kept at all).
    for (;;) {
      const owned = [...this.entries].filter(([, e]) => e.source.kind === 'archive' && e.source.owned);
      const bytes = owned.reduce((n, [, e]) => n + (e.source.kind === 'archive' ? e.source.size : 0), 0);
      if (bytes <= this.maxOwnedBytes || owned.length === 0) break;
      await this.drop((owned[0] as [string, Entry])[0]);
    }
    this.arm();
    return id;
  }

  /** The source (touched: its idle time starts again), or LAYER_SOURCE_GONE. */
  async get(id: string): Promise<LayerSource> {
    await this.sweep();
    const e = this.entries.get(id);
    if (!e) throw gone(id, 'this analysis is no longer open (released, expired or replaced by newer ones)');
    e.lastUsed = this.now();
    return e.source;
  }

  /** An archive source's layer blobs (planned once), checked to be the archive that was analysed. */
  async layersOf(id: string): Promise<LayerBlobSource[]> {
    const source = await this.get(id);
    const e = this.entries.get(id) as Entry;
    if (source.kind !== 'archive') throw new Error('not an archive source');
    // The file may have been replaced since: same size, mtime and inode, or it is gone.
    const st = await fs.promises.stat(source.file).catch(() => null);
    if (!st || stampOf(st) !== source.stamp) {
      await this.drop(id);
      throw gone(
        id,
        `${source.owned ? 'the uploaded archive' : source.file} changed or was removed since it was analysed`,
      );
    }
    e.layers ??= (async () => {
      const index = await ArchiveIndex.open(source.file);
      const plan = await planImage(index, source.image === undefined ? {} : { image: source.image });
      if (plan.configDigest !== source.configDigest) throw gone(id, `${source.file} holds another image now`);
      return plan.layers.map((l): LayerBlobSource => ({
        open: () => index.open(l.member),
        range: { file: source.file, offset: l.member.offset, size: l.member.size },
      }));
    })();
    e.layers.catch(() => {
      if (this.entries.get(id) === e) e.layers = undefined; // a later read plans again
    });
    return e.layers;
  }

  async release(id: string): Promise<void> {
    await this.drop(id);
  }

  async sweep(): Promise<void> {
    const t = this.now();
    for (const [id, e] of [...this.entries]) if (t - e.lastUsed >= this.idleMs) await this.drop(id);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const id of [...this.entries.keys()]) await this.drop(id);
  }

  private async drop(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    if (e.source.kind === 'archive' && e.source.owned) await fs.promises.rm(e.source.file, { force: true });
  }

  /** A timer while anything is held, so kept uploads are removed even if nobody calls again. */
  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.sweep().then(() => {
          if (this.entries.size > 0) this.arm();
        });
      },
      Math.min(this.idleMs, 60_000),
    );
    this.timer.unref();
  }
}
