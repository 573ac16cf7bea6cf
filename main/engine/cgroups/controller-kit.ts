/**
 * What the v1 and v2 controller files share: reading a limit file back as an
 * Effective value, writing "no limit" in each version's word, the cpuset
 * writes, and the pids controller (the same files and semantics in both
 * versions). File names stay in each version's FILES; only the logic is here.
 */
import path from 'node:path';
import type { Limits } from '../../../preload/schemas/resources';
import type { Controller } from './controller';
import { type FileSource, type WriteTxn, directSource, inTxn, num, readTrim, v2Limit } from './fsutil';
import { SLOT, type SampleFile } from './sample-layout';
import { type EffPart, type Effective, type PidsStats, eff } from './types';

/** `dir/file` read back as { value, file, raw, requested, note }; undefined when the file is absent. */
export function readEffective<T>(
  dir: string,
  file: string,
  parse: (raw: string) => T,
  requested: T | undefined,
  note?: string,
): Effective<T> | undefined {
  const p = path.join(dir, file);
  const raw = readTrim(p);
  return raw === null ? undefined : eff(parse(raw), p, raw, requested, note);
}

/** A limit as written: a number, or the file's word for none (v1 byte limits "-1", v2 and pids.max "max"). */
export function limitText(v: number | null, unlimited: '-1' | 'max'): string {
  return v === null ? unlimited : String(v);
}

/** cpuset.mems before cpuset.cpus (as runc does), each only when asked. */
export function applyCpuset(
  dir: string,
  files: { cpus: string; mems: string },
  limits: Limits,
  tx: WriteTxn | undefined,
): void {
  const c = limits.cpu;
  if (!c || (c.cpusetCpus === undefined && c.cpusetMems === undefined)) return;
  inTxn(tx, (tx) => {
    if (c.cpusetMems !== undefined) tx.write(path.join(dir, files.mems), c.cpusetMems);
    if (c.cpusetCpus !== undefined) tx.write(path.join(dir, files.cpus), c.cpusetCpus);
  });
}

/** pids.max ("max" = unlimited) and pids.current: the same in v1 and v2. */
export function pidsController(files: { max: string; current: string }): Controller<{ pids: PidsStats }> {
  const stats = (dir: string, src: FileSource = directSource): PidsStats => ({
    current: num(readTrim(`${dir}/${files.current}`, src)),
    max: v2Limit(readTrim(`${dir}/${files.max}`, src)),
  });
  return {
    key: 'pids',
    name: 'pids',
    files,
    apply(dir: string, limits: Limits, tx?: WriteTxn): void {
      const max = limits.pids?.max;
      if (max === undefined) return;
      inTxn(tx, (tx) => tx.write(path.join(dir, files.max), limitText(max, 'max')));
    },
    read(dir: string, requested?: Limits): EffPart {
      const max = readEffective(dir, files.max, v2Limit, requested?.pids?.max);
      return max ? { pids: { max } } : {};
    },
    stats: (dir, ctx) => ({ pids: stats(dir, ctx.src) }),
    sampleFiles: (dir: string): SampleFile[] => [
      { path: `${dir}/${files.current}`, kind: 'single', slots: [SLOT.pids] },
    ],
  };
}
