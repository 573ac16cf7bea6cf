/**
 * v2 cpuset controller: cpuset.cpus / cpuset.mems (empty = use the parent's),
 * with cpuset.cpus.effective / cpuset.mems.effective showing what is granted.
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import type { Controller } from '../controller';
import { applyCpuset } from '../controller-kit';
import { type WriteTxn, readTrim } from '../fsutil';
import { type EffPart, type Effective, eff } from '../types';

export const FILES = {
  cpus: 'cpuset.cpus',
  mems: 'cpuset.mems',
  cpusEffective: 'cpuset.cpus.effective',
  memsEffective: 'cpuset.mems.effective',
} as const;

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  applyCpuset(dir, FILES, limits, tx);
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.cpu;
  const res: NonNullable<EffPart['cpu']> = {};
  for (const [key, file, effFile] of [
    ['cpusetCpus', FILES.cpus, FILES.cpusEffective],
    ['cpusetMems', FILES.mems, FILES.memsEffective],
  ] as const) {
    const p = path.join(dir, file);
    const raw = readTrim(p);
    if (raw === null) continue;
    const effective = readTrim(path.join(dir, effFile));
    res[key] = eff(
      raw === '' && effective !== null ? effective : raw,
      p,
      raw,
      req?.[key],
      raw === ''
        ? `empty: inherits the parent's; ${effFile} = ${effective ?? '?'}`
        : `${effFile} = ${effective ?? '?'}`,
    );
  }
  const allowed = allowedCpus(dir);
  if (allowed) res.cpusetCpusAllowed = allowed;
  return { cpu: res };
}

/**
 * The CPUs the group may be given: its parent's cpuset.cpus.effective (the
 * root group has it too). The note gives the group's own effective set.
 */
export function allowedCpus(dir: string): Effective<string> | undefined {
  const p = path.join(path.dirname(dir), FILES.cpusEffective);
  const raw = readTrim(p);
  if (raw === null) return undefined;
  const own = readTrim(path.join(dir, FILES.cpusEffective));
  return eff(raw, p, raw, undefined, `the parent's ${FILES.cpusEffective}; this group's = ${own ?? '?'}`);
}

/** No counters Berth samples. */
export const controller: Controller = { key: 'cpuset', name: 'cpuset', files: FILES, apply, read };
