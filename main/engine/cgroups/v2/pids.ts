/** v2 pids controller: pids.max ("max" = unlimited), pids.current (and pids.peak on 6.x). */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { type FileSource, type WriteTxn, directSource, inTxn, num, readTrim, v2Limit } from '../fsutil';
import { type EffPart, type PidsStats, eff } from '../types';
import { SLOT, type SampleFile } from '../sample-layout';

export const FILES = { max: 'pids.max', current: 'pids.current', peak: 'pids.peak' } as const;

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const max = limits.pids?.max;
  if (max === undefined) return;
  inTxn(tx, (tx) => tx.write(path.join(dir, FILES.max), max === null ? 'max' : String(max)));
}

export function read(dir: string, requested?: Limits): EffPart {
  const file = path.join(dir, FILES.max);
  const raw = readTrim(file);
  return raw === null ? {} : { pids: { max: eff(v2Limit(raw), file, raw, requested?.pids?.max) } };
}

export function stats(dir: string, src: FileSource = directSource): PidsStats {
  return {
    current: num(readTrim(`${dir}/${FILES.current}`, src)),
    max: v2Limit(readTrim(`${dir}/${FILES.max}`, src)),
  };
}

export function sampleFiles(dir: string): SampleFile[] {
  return [{ path: `${dir}/${FILES.current}`, kind: 'single', slots: [SLOT.pids] }];
}
