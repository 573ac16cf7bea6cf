/**
 * Per-container id ranges for `--userns`, carved from Berth's subordinate
 * ids (subid.ts) in blocks of 65536 and recorded in one JSON file shared by
 * every helper on the machine (root's and each user's, whatever their data
 * roots), so no two containers ever share host ids.
 *
 * Cross-process safety: every read-modify-write of the file happens under
 * flock(2) on a sibling lock file (`<file>.lock`; the JSON itself is replaced
 * by rename, so it cannot carry the lock). The kernel drops the lock when
 * its holder dies: a crashed helper never leaves the allocations locked.
 * Within one process a mutex orders the callers first.
 *
 * Each range names its owner (data root + container id). A range whose
 * container directory is gone (removed while no helper recorded it, or a
 * deleted data root) is reclaimed at the next allocation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { lockFile } from '../storage/file-lock';
import { BerthError } from '../../../preload/errors';
import { mutexFor } from '../../shared/mutex';
import { z } from 'zod';
import { writeJsonAtomic } from '../storage/atomic-file';
import { readRecordFile } from '../storage/record-file';
import { ensureSubids, type SubidEntry } from './subid';

/** Host ids for container ids 0..size-1. */
export interface IdRange {
  uid: number;
  gid: number;
  size: number;
}

export interface RangeOwner {
  dataRoot: string;
  id: string;
}

interface Allocation extends IdRange {
  owner: RangeOwner;
  at: string;
}

interface RangesFile {
  version: 1;
  ranges: Allocation[];
}

const id = z.number().int().min(0);
const RangesFileSchema = z.object({
  version: z.literal(1),
  ranges: z.array(
    z.object({
      uid: id,
      gid: id,
      size: z.number().int().min(1),
      owner: z.object({ dataRoot: z.string(), id: z.string() }),
      at: z.string(),
    }),
  ),
}) satisfies z.ZodType<RangesFile, unknown>;

export const RANGE_SIZE = 65536;
export const DEFAULT_SUBUID_FILE = '/etc/subuid';
export const DEFAULT_SUBGID_FILE = '/etc/subgid';
/** Machine-wide, not per data root: helpers with different data roots share the host's ids. */
export const DEFAULT_RANGES_FILE = '/var/lib/berth/userns-ranges.json';

export interface RangeAllocatorOptions {
  subuidFile?: string;
  subgidFile?: string;
  rangesFile?: string;
  size?: number;
  /** Whether an owner still exists (default: its container directory is there). */
  ownerExists?: (o: RangeOwner) => boolean;
  lockTimeoutMs?: number;
  log?: (msg: string) => void;
}

const defaultOwnerExists = (o: RangeOwner): boolean => fs.existsSync(path.join(o.dataRoot, 'c', o.id));

/** The blocks of `size` ids the entries hold, in file order. */
function blocks(entries: readonly SubidEntry[], size: number): number[] {
  const out: number[] = [];
  for (const e of entries) for (let s = e.start; s + size <= e.start + e.count; s += size) out.push(s);
  return out;
}

const clash = (a: number, b: number, size: number, bSize: number): boolean => a < b + bSize && b < a + size;

const sameOwner = (a: RangeOwner, b: RangeOwner): boolean =>
  a.id === b.id && path.resolve(a.dataRoot) === path.resolve(b.dataRoot);

export class IdRangeAllocator {
  readonly subuidFile: string;
  readonly subgidFile: string;
  readonly rangesFile: string;
  readonly size: number;
  private readonly ownerExists: (o: RangeOwner) => boolean;

  constructor(private readonly o: RangeAllocatorOptions = {}) {
    this.subuidFile = o.subuidFile ?? DEFAULT_SUBUID_FILE;
    this.subgidFile = o.subgidFile ?? DEFAULT_SUBGID_FILE;
    this.rangesFile = o.rangesFile ?? DEFAULT_RANGES_FILE;
    this.size = o.size ?? RANGE_SIZE;
    this.ownerExists = o.ownerExists ?? defaultOwnerExists;
  }

  /** The owner's range (the same one again if it has one already). Throws USERNS_RANGES_EXHAUSTED. */
  allocate(owner: RangeOwner): Promise<IdRange> {
    return this.locked((state) => {
      const mine = state.ranges.find((r) => sameOwner(r.owner, owner));
      if (mine) return { result: toRange(mine), changed: false };
      const before = state.ranges.length;
      state.ranges = state.ranges.filter((r) => this.ownerExists(r.owner));
      const reclaimed = before - state.ranges.length;
      if (reclaimed) this.o.log?.(`user namespaces: reclaimed ${reclaimed} range(s) of containers that are gone`);
      const uids = blocks(ensureSubids(this.subuidFile, this.size, this.o.log), this.size);
      const gids = blocks(ensureSubids(this.subgidFile, this.size, this.o.log), this.size);
      const n = Math.min(uids.length, gids.length);
      for (let i = 0; i < n; i++) {
        const uid = uids[i]!;
        const gid = gids[i]!;
        const taken = state.ranges.some(
          (r) => clash(uid, r.uid, this.size, r.size) || clash(gid, r.gid, this.size, r.size),
        );
        if (taken) continue;
        const a: Allocation = { uid, gid, size: this.size, owner, at: new Date().toISOString() };
        state.ranges.push(a);
        return { result: toRange(a), changed: true };
      }
      if (reclaimed) this.save(state);
      throw new BerthError(
        'USERNS_RANGES_EXHAUSTED',
        `every user-namespace range is in use (${state.ranges.length} of ${n} ranges of ${this.size} ids from the "berth" entries of ${this.subuidFile} and ${this.subgidFile}): remove a --userns container or give berth more subordinate ids`,
        { inUse: state.ranges.length, total: n },
      );
    });
  }

  /** Gives the owner's range back (nothing when it has none). */
  release(owner: RangeOwner): Promise<void> {
    return this.locked((state) => {
      const before = state.ranges.length;
      state.ranges = state.ranges.filter((r) => !sameOwner(r.owner, owner));
      return { result: undefined, changed: state.ranges.length !== before };
    });
  }

  /** Every allocation (a snapshot; for inspection and tests). */
  list(): Array<IdRange & { owner: RangeOwner }> {
    return this.load().ranges.map((r) => ({ ...toRange(r), owner: r.owner }));
  }

  private load(): RangesFile {
    const read = readRecordFile(this.rangesFile, RangesFileSchema);
    if (read.kind === 'missing') return { version: 1, ranges: [] };
    // Never start from empty over a damaged table: that would hand out ranges still in use.
    if (read.kind === 'damaged') {
      throw new BerthError('USERNS_RANGES_DAMAGED', `${this.rangesFile}: ${read.reason}`, { file: this.rangesFile });
    }
    return read.value;
  }

  private save(state: RangesFile): void {
    writeJsonAtomic(this.rangesFile, state, 0o600, 'durable');
  }

  /** fn runs with the file read, under the in-process mutex and the flock; its change is written before unlocking. */
  private locked<T>(fn: (state: RangesFile) => { result: T; changed: boolean }): Promise<T> {
    const lockPath = `${this.rangesFile}.lock`;
    return mutexFor(lockPath).run(async () => {
      fs.mkdirSync(path.dirname(this.rangesFile), { recursive: true, mode: 0o700 });
      // The kernel drops the flock when the holder dies (storage/file-lock.ts).
      const lock = await lockFile(lockPath, this.o.lockTimeoutMs ?? 30_000, () => {
        throw new BerthError('USERNS_RANGES_LOCKED', `another process holds ${lockPath}`, { lockFile: lockPath });
      });
      try {
        const state = this.load();
        const { result, changed } = fn(state);
        if (changed) this.save(state);
        return result;
      } finally {
        lock.close();
      }
    });
  }
}

function toRange(a: IdRange): IdRange {
  return { uid: a.uid, gid: a.gid, size: a.size };
}
