/**
 * Summary first (`layers.summarizeFile` / `layers.summarizeUpload` /
 * `layers.summarizeImage`, then `layers.changes`): main answers with the
 * summary as soon as an analysis is done and keeps its change lists here
 * until the page fetches them (a store image's arrive packed from the helper).
 *
 * Bounded: at most `maxEntries` analyses (the oldest goes first) and each for
 * `ttlMs` after it was stored; a fetch releases it. A fetch of an id that was
 * released, evicted, expired or never existed is ANALYSIS_GONE: the page
 * analyses again. The lists are packed after the summary has been sent
 * (setImmediate runs after the promise continuation that writes the
 * answer), while the page paints it: neither waits for the encoding.
 */
import crypto from 'node:crypto';
import { BerthError } from '../../../preload/errors';
import { encodeChanges, type ChangeObject, type PackedChangesT } from '../../../preload/schemas/changes-wire';

export interface AnalysisCacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  layers: ReadonlyArray<readonly ChangeObject[]>;
  /** Null until packed here; a promise while another thread still packs them. */
  packed: PackedChangesT[] | Promise<PackedChangesT[]> | null;
  expires: number;
}

export class AnalysisCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;

  constructor(opts: AnalysisCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 4;
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Keeps an analysis' change lists; returns the id to fetch them with. */
  put(layers: ReadonlyArray<readonly ChangeObject[]>): string {
    const entry: Entry = { layers, packed: null, expires: this.now() + this.ttlMs };
    const id = this.add(entry);
    setImmediate(() => {
      if (this.entries.get(id) === entry && entry.packed === null) entry.packed = layers.map((l) => encodeChanges(l));
    });
    return id;
  }

  /**
   * The same for lists that arrive packed (the helper's `layers.analyzeImage`),
   * or will (an upload analysed on a worker thread sends them after its summary).
   */
  putPacked(packed: PackedChangesT[] | Promise<PackedChangesT[]>): string {
    if (packed instanceof Promise) packed.catch(() => undefined); // a failure reaches the one fetch, if any
    return this.add({ layers: [], packed, expires: this.now() + this.ttlMs });
  }

  private add(entry: Entry): string {
    this.sweep();
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    const id = crypto.randomBytes(16).toString('hex');
    this.entries.set(id, entry);
    this.arm();
    return id;
  }

  /** The packed lists (once packed), released: a second take is ANALYSIS_GONE. */
  async take(id: string): Promise<{ layers: PackedChangesT[] }> {
    this.sweep();
    const e = this.entries.get(id);
    if (!e) {
      throw new BerthError('ANALYSIS_GONE', 'these change lists were already fetched or expired; analyse again', {
        analysisId: id,
      });
    }
    this.entries.delete(id);
    return { layers: (await e.packed) ?? e.layers.map((l) => encodeChanges(l)) };
  }

  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.entries.clear();
  }

  private sweep(): void {
    const t = this.now();
    for (const [id, e] of this.entries) if (e.expires <= t) this.entries.delete(id);
  }

  /** A timer while anything is held, so memory is released even if nobody calls again. */
  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweep();
      if (this.entries.size > 0) this.arm();
    }, this.ttlMs);
    this.timer.unref();
  }
}

/** An analysis whose change lists are already packed → the summary, the packed lists kept in `cache`. */
export function summarizePacked<A extends { layers: ReadonlyArray<{ changes: PackedChangesT }> }>(
  cache: AnalysisCache,
  a: A,
): Omit<A, 'layers'> & { layers: Array<Omit<A['layers'][number], 'changes'>>; analysisId: string } {
  const analysisId = cache.putPacked(a.layers.map((l) => l.changes));
  const layers = a.layers.map(({ changes: _, ...rest }) => rest) as Array<Omit<A['layers'][number], 'changes'>>;
  return { ...a, layers, analysisId };
}

/** An engine analysis → the summary the contract sends, its change lists kept in `cache`. */
export function summarize<A extends { layers: ReadonlyArray<{ changes: readonly ChangeObject[] }> }>(
  cache: AnalysisCache,
  a: A,
): Omit<A, 'layers'> & { layers: Array<Omit<A['layers'][number], 'changes'>>; analysisId: string } {
  const analysisId = cache.put(a.layers.map((l) => l.changes));
  const layers = a.layers.map(({ changes: _, ...rest }) => rest) as Array<Omit<A['layers'][number], 'changes'>>;
  return { ...a, layers, analysisId };
}
