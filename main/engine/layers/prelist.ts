/**
 * Listing an archive's plain layers while it is still being uploaded: the
 * outer tar's headers are followed as the bytes arrive
 * (`ArchiveIndex.follow`), and every member that may be a layer is listed
 * from its headers as soon as they are written (`listPlainLayer` with
 * `until`), so the listing, the longest step of an analysis of many small
 * files, runs during the upload instead of after it. Each listing is also
 * merged (`MergedTree`, `DiveEfficiency`) as it completes, in arrival
 * order: when that is the layer order (archives are usually written base
 * first), the analysis takes the diffs and the efficiency too (`premerged`).
 *
 * Which members are layers is only known from the manifest, which archives
 * usually put last: every regular member of at least two blocks is tried,
 * and one that is not an uncompressed tar (a gzip layer, a JSON config)
 * lists as null. Nothing here is trusted: `analyzeImageArchive` indexes and
 * plans the finished file as always, takes a listing only for a layer member
 * at the same offset and size, hashes and checks the layer's digest as
 * always, and lists anything that failed here again itself (so errors are
 * reported as before).
 */
import { ArchiveIndex, type ArchiveMember } from '../oci/archive-index';
import { BodyHasher } from './body-hash';
import { DiveEfficiency, type BaseLayerFold, type EfficiencyResult } from './efficiency';
import { MergedTree, type BaseLayerMerge, type LayerDiff } from './filetree';
import { listPlainLayer, type PlainListing, type ScannedEntry } from './layer-scan';

/** A listing merged in arrival order (see `premerged`). */
export interface PremergedLayer {
  member: Pick<ArchiveMember, 'offset' | 'size'>;
  listing: PlainListing;
  diff: LayerDiff;
  /** Merged as it was listed (MergedTree.baseMerge), which only succeeds when no path is listed twice. */
  uniquePaths?: boolean;
}

/** Every layer merged in arrival order, and dive's efficiency of them in that order. */
export interface Premerged {
  layers: PremergedLayer[];
  efficiency: EfficiencyResult;
}

/** Smaller members are not worth a speculative listing (a tar has at least one header and the end marker). */
const MIN_MEMBER = 1024;

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class ArchivePrelister {
  private received = 0;
  private waiters: Waiter[] = [];
  private readonly stop = new AbortController();
  private readonly listings = new Map<string, Promise<PlainListing | null>>();
  private readonly followed: Promise<void>;
  // Archives are usually written base layer first: each listing is merged as it completes, in that order.
  private tree = new MergedTree();
  private readonly merged: PremergedLayer[] = [];
  private efficiency = new DiveEfficiency();
  /** The first listing to yield an entry merges and folds it as it is listed (see startListing). */
  private baseClaimed = false;
  private merging: Promise<void> = Promise.resolve();
  private spoiled = false;
  private readonly bodies: BodyHasher;

  /** `size`: the announced size of `file`, which holds `received` bytes so far (see advance). */
  constructor(
    private readonly file: string,
    private readonly size: number,
  ) {
    this.bodies = new BodyHasher(file, this.stop.signal);
    const until = (end: number): Promise<void> => this.until(end);
    this.followed = ArchiveIndex.follow(file, size, until, (m) => this.startListing(m, until)).catch(() => undefined);
  }

  /** The file now holds its first `received` bytes. */
  advance(received: number): void {
    this.received = received;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.end <= received) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * The listing of the member at this offset and size, if one was made (it
   * may still be finishing); null or undefined: list it the usual way.
   */
  listing(member: Pick<ArchiveMember, 'offset' | 'size'>): Promise<PlainListing | null> | undefined {
    return this.listings.get(`${member.offset}:${member.size}`);
  }

  /**
   * The layers merged in the order their listings completed, when that is
   * exactly `members` (the plan's layers, bottom first) once the archive has
   * been followed to its end: the analysis then skips its own merge. Null
   * when the order differs, a member is not a listed plain tar, one is
   * listed twice, or a merge failed. Content hashes were taken the
   * analysis' way (`hashCollisions`, bodies read from the file), so the
   * diffs are the ones it would compute; dive's efficiency is folded in
   * the same order. Call once: the diffs are handed over.
   */
  async premerged(members: readonly Pick<ArchiveMember, 'offset' | 'size'>[]): Promise<Premerged | null> {
    await this.followed;
    await this.merging;
    const m = this.merged;
    if (this.spoiled || m.length !== members.length) return null;
    const same = members.every((x, i) => m[i]?.member.offset === x.offset && m[i]?.member.size === x.size);
    return same ? { layers: m, efficiency: this.efficiency.result() } : null;
  }

  /** Stops every listing still waiting for bytes; what is listed stays available. */
  async close(): Promise<void> {
    this.stop.abort();
    const err = new Error('the upload ended before these bytes arrived');
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    await this.followed;
    await Promise.all([...this.listings.values()]);
    await this.merging;
    await this.bodies.close();
  }

  private until(end: number): Promise<void> {
    if (end <= this.received) return Promise.resolve();
    if (this.stop.signal.aborted || end > this.size) {
      return Promise.reject(new Error('the upload ended before these bytes arrived'));
    }
    return new Promise((resolve, reject) => this.waiters.push({ end, resolve, reject }));
  }

  private startListing(m: ArchiveMember, until: (end: number) => Promise<void>): void {
    if (m.size < MIN_MEMBER || this.stop.signal.aborted) return;
    // The bottom layer (the first member that lists as a tar, when archives are
    // written base first) is merged and folded entry by entry while it is
    // listed: a layer's diff otherwise needs all of its entries, which left
    // the largest layer's merge for after the last byte.
    let base: { merge: BaseLayerMerge; fold: BaseLayerFold } | undefined;
    const onEntry = (e: ScannedEntry): void => {
      if (!base && !this.baseClaimed) {
        this.baseClaimed = true;
        base = { merge: MergedTree.baseMerge(), fold: DiveEfficiency.baseFold() };
      }
      if (base) {
        base.merge.add(e);
        base.fold.add(e);
      }
    };
    const listing = listPlainLayer(this.file, m, {
      contentRefs: true,
      until,
      signal: this.stop.signal,
      // The digest is taken as the bytes arrive, so it is ready at the last one.
      hashAsArrives: true,
      onEntry,
    }).catch(() => null);
    this.listings.set(`${m.offset}:${m.size}`, listing);
    // Listings complete in member order (the bytes arrive in order); merges run one at a time in that order.
    this.merging = this.merging.then(async () => {
      const l = await listing;
      if (!l || this.spoiled) return;
      try {
        const done = base && this.merged.length === 0 ? base.merge.finish(l) : null;
        const folded = done ? base?.fold.finish(l) : null;
        base = undefined;
        if (done && folded) {
          this.tree = done.tree;
          this.efficiency = folded;
          this.merged.push({
            member: { offset: m.offset, size: m.size },
            listing: l,
            diff: done.diff,
            uniquePaths: true,
          });
          return;
        }
        await this.tree.hashCollisions(l.entries, (offset, size) => this.bodies.hash(offset, size));
        this.merged.push({ member: { offset: m.offset, size: m.size }, listing: l, diff: this.tree.applyLayer(l) });
        this.efficiency.add(l);
      } catch {
        this.spoiled = true;
      }
    });
  }
}
