/**
 * v1 cpuset controller: cpuset.cpus / cpuset.mems. A new v1 cpuset group starts
 * with both empty and refuses tasks until they are set (unless the parent has
 * cgroup.clone_children), so create() copies the parent's values.
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import type { Controller } from '../controller';
import { applyCpuset, readEffective } from '../controller-kit';
import { type WriteTxn, readTrim, writeRaw } from '../fsutil';
import { type EffPart, type Effective, eff } from '../types';

export const FILES = {
  cpus: 'cpuset.cpus',
  mems: 'cpuset.mems',
  effectiveCpus: 'cpuset.effective_cpus',
  effectiveMems: 'cpuset.effective_mems',
} as const;

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  applyCpuset(dir, FILES, limits, tx);
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.cpu;
  const out: NonNullable<EffPart['cpu']> = {};
  const same = (raw: string) => raw;
  const cpus = readEffective(dir, FILES.cpus, same, req?.cpusetCpus);
  if (cpus) out.cpusetCpus = cpus;
  const mems = readEffective(dir, FILES.mems, same, req?.cpusetMems);
  if (mems) out.cpusetMems = mems;
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

/** No counters Berth samples. */
export const controller: Controller = {
  key: 'cpuset',
  name: 'cpuset',
  files: FILES,
  apply,
  read,
  prepareGroup: inheritFromParent,
};
