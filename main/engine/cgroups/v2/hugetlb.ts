/**
 * v2 hugetlb controller, stats only: hugetlb.<size>.current / .max / .events
 * ("max N" counts allocations refused by the limit). The page sizes are the
 * "<size>" parts present in the group, found once per handle with readdir.
 */
import fs from 'node:fs';
import type { HugetlbStats } from '../../../../preload/schemas/resources';
import { type FileSource, directSource, keyed, num, parseFlatKeyed, readTrim, v2Limit } from '../fsutil';
import type { Controller } from '../controller';

export function pageSizes(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .map((f) => /^hugetlb\.([^.]+)\.current$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .sort();
  } catch {
    return [];
  }
}

export function stats(dir: string, sizes: string[], src: FileSource = directSource): HugetlbStats[] {
  return sizes.map((size) => {
    const ev = parseFlatKeyed(src.read(`${dir}/hugetlb.${size}.events`));
    const s: HugetlbStats = {
      pageSize: size,
      current: num(readTrim(`${dir}/hugetlb.${size}.current`, src)),
      max: v2Limit(readTrim(`${dir}/hugetlb.${size}.max`, src)),
    };
    if (ev.size) s.maxEvents = keyed(ev, 'max');
    return s;
  });
}

/** Stats only; the page sizes are listed once per group. */
export const controller: Controller<{ hugetlb?: HugetlbStats[] }> = {
  key: 'hugetlb',
  name: 'hugetlb',
  files: { current: 'hugetlb.<size>.current', max: 'hugetlb.<size>.max', events: 'hugetlb.<size>.events' },
  stats(dir, ctx) {
    const sizes = ctx.once('hugetlb.sizes', () => pageSizes(dir));
    return sizes.length ? { hugetlb: stats(dir, sizes, ctx.src) } : {};
  },
};
