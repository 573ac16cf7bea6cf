/**
 * v1 cpuacct controller: accounting only, no limits.
 *
 *   cpuacct.usage  total CPU time in ns            → usageUsec
 *   cpuacct.stat   "user N" / "system N" in USER_HZ ticks (sysconf(_SC_CLK_TCK),
 *                  100 on mainstream arches) → µs = ticks × 1e6 / USER_HZ
 */
import { userHz } from '../convert';
import { type FileSource, big2num, directSource, keyed, parseBig, parseFlatKeyed } from '../fsutil';
import { SLOT, type SampleFile } from '../sample-layout';
import type { Controller } from '../controller';
import type { CpuStats } from '../types';

export const FILES = { usage: 'cpuacct.usage', stat: 'cpuacct.stat' } as const;

export function stats(dir: string, src: FileSource = directSource, hz = userHz()): Partial<CpuStats> {
  const usageNs = parseBig(src.read(`${dir}/${FILES.usage}`)) ?? 0n;
  const st = parseFlatKeyed(src.read(`${dir}/${FILES.stat}`));
  const tickUs = 1e6 / hz;
  return {
    usageUsec: big2num(usageNs / 1000n),
    userUsec: Math.round(keyed(st, 'user') * tickUs),
    systemUsec: Math.round(keyed(st, 'system') * tickUs),
  };
}

/** What a sampling tick reads: cpuacct.usage (ns → µs). */
export function sampleFiles(dir: string): SampleFile[] {
  return [{ path: `${dir}/${FILES.usage}`, kind: 'single', slots: [SLOT.cpuUsec], scale: 0.001 }];
}

/** Accounting only: nothing to apply or read back. */
export const controller: Controller<{ cpu: Partial<CpuStats> }> = {
  key: 'cpuacct',
  name: 'cpuacct',
  files: FILES,
  stats: (dir, ctx) => ({ cpu: stats(dir, ctx.src, ctx.hz) }),
  sampleFiles,
};
