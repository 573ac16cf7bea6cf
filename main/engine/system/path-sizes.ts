/**
 * Sizes of sets of paths that overlap (images sharing layers): each path is
 * measured once per call and a set's size is the sum over its distinct paths,
 * so a shared layer counts once in a total. Hard links inside a path count
 * once (storage/du.ts); the store never hard-links across paths.
 */
import { DiskMeter } from '../storage/du';

export class PathSizes {
  private readonly sizes = new Map<string, Promise<number>>();

  of(p: string): Promise<number> {
    let s = this.sizes.get(p);
    if (!s) {
      s = new DiskMeter().measure(p);
      this.sizes.set(p, s);
    }
    return s;
  }

  async sum(paths: Iterable<string>): Promise<number> {
    let total = 0;
    for (const p of new Set(paths)) total += await this.of(p);
    return total;
  }
}
