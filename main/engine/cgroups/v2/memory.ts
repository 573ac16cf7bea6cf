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
import { type EffPart, type MemoryStats, eff, unsupported } from '../types';
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

const out = (v: number | null): string => (v === null ? 'max' : String(v));

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
      tx.write(file, out(v));
    }
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.memory;
  const res: NonNullable<EffPart['memory']> = {};
  const unsup: NonNullable<EffPart['unsupported']> = [];
  for (const k of KEYS) {
    const file = path.join(dir, FILES[k]);
    const raw = readTrim(file);
    if (raw === null) {
      if (k === 'swapMax')
        unsup.push({ limit: 'memory.swapMax', reason: 'memory.swap.max is absent: swap accounting is off' });
      continue;
    }
    res[k] = eff(v2Limit(raw), file, raw, req?.[k]);
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

export function oomCounters(dir: string, src: FileSource = directSource) {
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
