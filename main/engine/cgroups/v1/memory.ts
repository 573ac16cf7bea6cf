/**
 * v1 memory controller (Documentation/admin-guide/cgroup-v1/memory.rst).
 *
 *   max     → memory.limit_in_bytes           ("-1" = unlimited)
 *   high    → memory.soft_limit_in_bytes      (a reclaim target under global
 *             pressure, not the v2 throttle; "-1" = unlimited)
 *   low     → none: v1 has no reservation; refused with CGROUP_UNSUPPORTED
 *   swapMax → memory.memsw.limit_in_bytes = max + swapMax (v1 limits memory+swap
 *             together). Absent when swap accounting is off (no
 *             CONFIG_MEMCG_SWAP or booted with swapaccount=0): then v1 cannot
 *             limit swap at all and the request is refused.
 *
 * "Unlimited" reads back as PAGE_COUNTER_MAX × PAGE_SIZE (9223372036854771712
 * on 4 KiB pages) and is normalised to null. Lowering limit_in_bytes below what
 * the kernel can reclaim fails with EBUSY and the old limit stays in force.
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
  v1Limit,
} from '../fsutil';
import { type EffPart, type MemoryStats, eff, unsupported } from '../types';
import { SLOW_EVERY, SLOT, type SampleFile } from '../sample-layout';

export const FILES = {
  limit: 'memory.limit_in_bytes',
  soft: 'memory.soft_limit_in_bytes',
  memsw: 'memory.memsw.limit_in_bytes',
  usage: 'memory.usage_in_bytes',
  maxUsage: 'memory.max_usage_in_bytes',
  stat: 'memory.stat',
  oomControl: 'memory.oom_control',
  failcnt: 'memory.failcnt',
  kmem: 'memory.kmem.usage_in_bytes',
} as const;

const LOW_REASON =
  'cgroup v1 has no memory reservation (memory.low exists only in cgroup v2); memory.soft_limit_in_bytes is a reclaim target, not a protection';
const NO_MEMSW_REASON =
  'memory.memsw.limit_in_bytes is absent: swap accounting is off on this kernel (CONFIG_MEMCG_SWAP unset or swapaccount=0), so v1 cannot limit swap';

const bytesOut = (v: number | null): string => limitText(v, '-1');

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const m = limits.memory;
  if (!m) return;
  inTxn(tx, (tx) => {
    if (m.low !== undefined && m.low !== 0) unsupported('memory.low', LOW_REASON);
    const limitFile = path.join(dir, FILES.limit);
    const memswFile = path.join(dir, FILES.memsw);
    const hasMemsw = exists(memswFile);
    if (m.swapMax !== undefined && !hasMemsw) unsupported('memory.swapMax', NO_MEMSW_REASON);

    const oldLimit = v1Limit(readTrim(limitFile));
    const newLimit = m.max !== undefined ? m.max : oldLimit;
    const oldMemsw = hasMemsw ? v1Limit(readTrim(memswFile)) : null;

    // memory+swap target, keeping v2 semantics (swap allowance independent of max).
    let newMemsw: number | null | undefined;
    if (m.swapMax !== undefined) {
      if (m.swapMax === null) newMemsw = null;
      else if (newLimit === null)
        unsupported(
          'memory.swapMax',
          'v1 limits swap only as memory+swap (memory.memsw.limit_in_bytes), which needs memory.max as well',
        );
      else newMemsw = newLimit + m.swapMax;
    } else if (hasMemsw && m.max !== undefined && oldMemsw !== null) {
      // A finite memsw keeps its swap allowance when max moves.
      const allowance = oldLimit === null ? 0 : Math.max(0, oldMemsw - oldLimit);
      newMemsw = newLimit === null ? null : newLimit + allowance;
    }

    // The kernel keeps limit <= memsw at every step: raise memsw first, lower it last.
    const writeLimit = () => {
      if (m.max !== undefined) tx.write(limitFile, bytesOut(m.max));
    };
    const writeMemsw = () => {
      if (newMemsw !== undefined) tx.write(memswFile, bytesOut(newMemsw));
    };
    const raising = newMemsw === null || (newMemsw !== undefined && (oldMemsw === null ? false : newMemsw > oldMemsw));
    if (raising) {
      writeMemsw();
      writeLimit();
    } else {
      writeLimit();
      writeMemsw();
    }
    if (m.high !== undefined) tx.write(path.join(dir, FILES.soft), bytesOut(m.high));
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.memory;
  const out: NonNullable<EffPart['memory']> = {};
  const unsup: NonNullable<EffPart['unsupported']> = [{ limit: 'memory.low', reason: LOW_REASON }];
  const max = readEffective(dir, FILES.limit, v1Limit, req?.max);
  if (max) out.max = max;
  const high = readEffective(
    dir,
    FILES.soft,
    v1Limit,
    req?.high,
    'v1 soft limit: reclaimed toward under global memory pressure; not a throttle like v2 memory.high',
  );
  if (high) out.high = high;
  const memswFile = path.join(dir, FILES.memsw);
  const rawMemsw = readTrim(memswFile);
  if (rawMemsw !== null) {
    const memsw = v1Limit(rawMemsw);
    const limit = max ? max.value : null;
    out.swapMax = eff(
      memsw === null ? null : limit === null ? memsw : Math.max(0, memsw - limit),
      memswFile,
      rawMemsw,
      req?.swapMax,
      'memory.memsw.limit_in_bytes holds memory+swap; swap = memsw - limit_in_bytes',
    );
  } else {
    unsup.push({ limit: 'memory.swapMax', reason: NO_MEMSW_REASON });
  }
  return { memory: out, unsupported: unsup };
}

export function stats(dir: string, src: FileSource = directSource): MemoryStats {
  const f = (n: string) => `${dir}/${n}`;
  const st = parseFlatKeyed(src.read(f(FILES.stat)));
  const oom = parseFlatKeyed(src.read(f(FILES.oomControl)));
  const peakRaw = readTrim(f(FILES.maxUsage), src);
  const kmemRaw = readTrim(f(FILES.kmem), src);
  const failRaw = readTrim(f(FILES.failcnt), src);
  const oomKill = keyed(oom, 'oom_kill');
  const s: MemoryStats = {
    current: num(readTrim(f(FILES.usage), src)),
    peak: peakRaw === null ? null : num(peakRaw),
    limit: v1Limit(readTrim(f(FILES.limit), src)),
    anon: st.has('total_rss') ? keyed(st, 'total_rss') : keyed(st, 'rss'),
    file: st.has('total_cache') ? keyed(st, 'total_cache') : keyed(st, 'cache'),
    // v1 has no OOM-event counter apart from kills (memory.oom_control oom_kill, 4.13+).
    oomEvents: oomKill,
    oomKillEvents: oomKill,
    underOom: keyed(oom, 'under_oom') === 1,
  };
  if (kmemRaw !== null) s.kernel = num(kmemRaw);
  if (st.has('total_swap') || st.has('swap'))
    s.swap = st.has('total_swap') ? keyed(st, 'total_swap') : keyed(st, 'swap');
  if (failRaw !== null) s.failcnt = num(failRaw);
  return s;
}

/** OOM counters for events()/watchOom(): memory.oom_control oom_kill and memory.failcnt. */
export function oomCounters(dir: string, src: FileSource = directSource): OomCounters {
  const file = `${dir}/${FILES.oomControl}`;
  const oom = parseFlatKeyed(src.read(file));
  const kills = keyed(oom, 'oom_kill');
  return {
    file,
    oom: kills,
    oomKill: kills,
    underOom: keyed(oom, 'under_oom') === 1,
    failcnt: num(readTrim(`${dir}/${FILES.failcnt}`, src)),
  };
}

/**
 * What a sampling tick reads: usage, the limit (every SLOW_EVERY ticks and
 * after an apply), and oom_control's oom_kill (the tick is also the OOM poll). Not memory.stat: the kernel's costliest
 * file here, and no chart needs it (stats() reads it on demand).
 */
export function sampleFiles(dir: string): SampleFile[] {
  return [
    { path: `${dir}/${FILES.usage}`, kind: 'single', slots: [SLOT.memCurrent] },
    { path: `${dir}/${FILES.limit}`, kind: 'single', slots: [SLOT.memLimit], every: SLOW_EVERY },
    { path: `${dir}/${FILES.oomControl}`, kind: 'keyed', keys: ['oom_kill'], slots: [SLOT.oomKill] },
  ];
}

export const controller: Controller<{ memory: MemoryStats }> = {
  key: 'memory',
  name: 'memory',
  files: FILES,
  apply,
  read,
  stats: (dir, ctx) => ({ memory: stats(dir, ctx.src) }),
  sampleFiles,
  oomCounters: (dir) => oomCounters(dir),
};
