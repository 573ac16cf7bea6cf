/**
 * v2 memory controller (Documentation/admin-guide/cgroup-v2.rst, "Memory").
 *
 *   max → memory.max, high → memory.high, low → memory.low,
 *   swapMax → memory.swap.max; "max" = unlimited (null).
 *
 * Unlike v1, lowering memory.max below usage is not refused: the kernel
 * reclaims and, failing that, OOM-kills inside the group. memory.swap.max is
 * absent when swap accounting is off; then swapMax is refused.
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import type { Controller, OomCounters } from '../controller';
import { limitText, readEffective } from '../controller-kit';
import {
  type FileSource,
  type WriteTxn,
  directSource,
  exists,
  inTxn,
  keyed,
  num,
  parseFlatKeyed,
  readTrim,
  v2Limit,
} from '../fsutil';
import { type EffPart, type MemoryStats, unsupported } from '../types';
import { SLOW_EVERY, SLOT, type SampleFile } from '../sample-layout';

export const FILES = {
  max: 'memory.max',
  high: 'memory.high',
  low: 'memory.low',
  swapMax: 'memory.swap.max',
  current: 'memory.current',
  peak: 'memory.peak',
  stat: 'memory.stat',
  events: 'memory.events',
  swapCurrent: 'memory.swap.current',
} as const;

const KEYS = ['max', 'high', 'low', 'swapMax'] as const;

/** Kernel memory for kernels before memory.stat "kernel" (5.18): the parts it sums. */
const KERNEL_PARTS = ['kernel_stack', 'pagetables', 'percpu', 'sock', 'vmalloc', 'slab'];

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const m = limits.memory;
  if (!m) return;
  inTxn(tx, (tx) => {
    for (const k of KEYS) {
      const v = m[k];
      if (v === undefined) continue;
      const file = path.join(dir, FILES[k]);
      if (k === 'swapMax' && !exists(file))
        unsupported('memory.swapMax', 'memory.swap.max is absent: swap accounting is off on this kernel');
      tx.write(file, limitText(v, 'max'));
    }
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.memory;
  const res: NonNullable<EffPart['memory']> = {};
  const unsup: NonNullable<EffPart['unsupported']> = [];
  for (const k of KEYS) {
    const e = readEffective(dir, FILES[k], v2Limit, req?.[k]);
    if (e) res[k] = e;
    else if (k === 'swapMax')
      unsup.push({ limit: 'memory.swapMax', reason: 'memory.swap.max is absent: swap accounting is off' });
  }
  return { memory: res, unsupported: unsup };
}

export function stats(dir: string, src: FileSource = directSource): MemoryStats {
  const f = (n: string) => `${dir}/${n}`;
  const st = parseFlatKeyed(src.read(f(FILES.stat)));
  const ev = parseFlatKeyed(src.read(f(FILES.events)));
  const peak = readTrim(f(FILES.peak), src);
  const swap = readTrim(f(FILES.swapCurrent), src);
  const s: MemoryStats = {
    current: num(readTrim(f(FILES.current), src)),
    peak: peak === null ? null : num(peak),
    limit: v2Limit(readTrim(f(FILES.max), src)),
    anon: keyed(st, 'anon'),
    file: keyed(st, 'file'),
    oomEvents: keyed(ev, 'oom'),
    oomKillEvents: keyed(ev, 'oom_kill'),
  };
  if (st.has('kernel')) s.kernel = keyed(st, 'kernel');
  else if (st.size > 0) s.kernel = KERNEL_PARTS.reduce((a, k) => a + keyed(st, k), 0);
  if (swap !== null) s.swap = num(swap);
  return s;
}

export function oomCounters(dir: string, src: FileSource = directSource): OomCounters & { max: number; high: number } {
  const file = `${dir}/${FILES.events}`;
  const ev = parseFlatKeyed(src.read(file));
  return {
    file,
    oom: keyed(ev, 'oom'),
    oomKill: keyed(ev, 'oom_kill'),
    max: keyed(ev, 'max'),
    high: keyed(ev, 'high'),
  };
}

/**
 * What a sampling tick reads: current, max (every SLOW_EVERY ticks and after
 * an apply), and memory.events' oom/oom_kill (the tick is also the OOM watch).
 */
export function sampleFiles(dir: string): SampleFile[] {
  return [
    { path: `${dir}/${FILES.current}`, kind: 'single', slots: [SLOT.memCurrent] },
    { path: `${dir}/${FILES.max}`, kind: 'single', slots: [SLOT.memLimit], every: SLOW_EVERY },
    { path: `${dir}/${FILES.events}`, kind: 'keyed', keys: ['oom', 'oom_kill'], slots: [SLOT.oom, SLOT.oomKill] },
  ];
}

/** memory.events changes raise an inotify modify event: watchOom needs no poll. */
export const controller: Controller<{ memory: MemoryStats }> = {
  key: 'memory',
  name: 'memory',
  files: FILES,
  apply,
  read,
  stats: (dir, ctx) => ({ memory: stats(dir, ctx.src) }),
  sampleFiles,
  oomCounters: (dir) => oomCounters(dir),
  oomWatchFile: FILES.events,
};
