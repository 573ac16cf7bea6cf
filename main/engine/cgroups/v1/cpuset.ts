/**
 * v1 cpuset controller: cpuset.cpus / cpuset.mems. A new v1 cpuset group starts
 * with both empty and refuses tasks until they are set (unless the parent has
 * cgroup.clone_children), so create() copies the parent's values.
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { type WriteTxn, inTxn, readTrim, writeRaw } from '../fsutil';
import { type EffPart, type Effective, eff } from '../types';

export const FILES = {
  cpus: 'cpuset.cpus',
  mems: 'cpuset.mems',
  effectiveCpus: 'cpuset.effective_cpus',
  effectiveMems: 'cpuset.effective_mems',
} as const;

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const c = limits.cpu;
  if (!c || (c.cpusetCpus === undefined && c.cpusetMems === undefined)) return;
  inTxn(tx, (tx) => {
    if (c.cpusetMems !== undefined) tx.write(path.join(dir, FILES.mems), c.cpusetMems);
    if (c.cpusetCpus !== undefined) tx.write(path.join(dir, FILES.cpus), c.cpusetCpus);
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.cpu;
  const out: NonNullable<EffPart['cpu']> = {};
  const cpusFile = path.join(dir, FILES.cpus);
  const cpus = readTrim(cpusFile);
  if (cpus !== null) out.cpusetCpus = eff(cpus, cpusFile, cpus, req?.cpusetCpus);
  const memsFile = path.join(dir, FILES.mems);
  const mems = readTrim(memsFile);
  if (mems !== null) out.cpusetMems = eff(mems, memsFile, mems, req?.cpusetMems);
  const allowed = allowedCpus(dir);
  if (allowed) out.cpusetCpusAllowed = allowed;
  return { cpu: out };
}

/**
 * The CPUs the group may be given: its parent's cpuset.effective_cpus (what
 * the parent really has once hotplug and its own parent are applied), or the
 * parent's cpuset.cpus on kernels without effective_cpus (before 3.15). The
 * note gives the group's own effective set.
 */
export function allowedCpus(dir: string): Effective<string> | undefined {
  const parent = path.dirname(dir);
  for (const f of [FILES.effectiveCpus, FILES.cpus]) {
    const p = path.join(parent, f);
    const raw = readTrim(p);
    if (raw === null) continue;
    const own = readTrim(path.join(dir, FILES.effectiveCpus));
    return eff(raw, p, raw, undefined, `the parent's ${f}; this group's ${FILES.effectiveCpus} = ${own ?? '?'}`);
  }
  return undefined;
}

/** Copy the parent's cpus/mems into an empty group (what clone_children would do). */
export function inheritFromParent(dir: string): void {
  for (const f of [FILES.mems, FILES.cpus]) {
    const mine = readTrim(path.join(dir, f));
    if (mine === null || mine !== '') continue;
    const parent = readTrim(path.join(path.dirname(dir), f));
    if (parent) writeRaw(path.join(dir, f), parent);
  }
}

/** cpuset has no counters Berth samples. */
export function stats(): Record<string, never> {
  return {};
}
