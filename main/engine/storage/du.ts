/**
 * Bytes a tree takes on disk, as `du` counts them: allocated blocks
 * (st_blocks × 512, so sparse files count what they hold), directories
 * included, each inode once however many hard links reach it. One DiskMeter
 * keeps the inodes it has seen, so trees measured through it share that
 * count: two images' common layer, or a file hard-linked into two trees,
 * count once.
 */
import fs from 'node:fs';
import path from 'node:path';

export class DiskMeter {
  private readonly seen = new Set<string>();

  /** Bytes of `p` (a file or a tree) not yet counted by this meter; 0 when it does not exist. */
  async measure(p: string): Promise<number> {
    let st: fs.BigIntStats;
    try {
      st = await fs.promises.lstat(p, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const key = `${st.dev}:${st.ino}`;
    if (this.seen.has(key)) return 0;
    this.seen.add(key);
    let total = Number(st.blocks) * 512;
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = await fs.promises.readdir(p);
      } catch (err) {
        // A tree removed while it is measured counts what was seen.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return total;
        throw err;
      }
      for (const n of names) total += await this.measure(path.join(p, n));
    }
    return total;
  }

  /** The sum over several paths, each inode once. */
  async measureAll(paths: Iterable<string>): Promise<number> {
    let total = 0;
    for (const p of paths) total += await this.measure(p);
    return total;
  }
}

/** Bytes of the given trees together (a fresh meter). */
export function diskBytes(...paths: string[]): Promise<number> {
  return new DiskMeter().measureAll(paths);
}
