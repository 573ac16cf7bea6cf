/**
 * v2 cpu controller: cpu.weight (1..10000), cpu.max "$QUOTA $PERIOD" with
 * "max" for no quota, and cpu.stat (usage/user/system in µs, nr_periods,
 * nr_throttled, throttled_usec). usage_usec/user_usec/system_usec are core
 * cgroup fields present even where the cpu controller is not enabled.
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { quotaTarget } from '../v1/cpu';
import { type FileSource, type WriteTxn, directSource, inTxn, keyed, num, parseFlatKeyed, readTrim } from '../fsutil';
import { type CpuStats, type EffPart, eff } from '../types';
import { SLOT, type SampleFile } from '../sample-layout';
import type { Controller } from '../controller';

export const FILES = { weight: 'cpu.weight', max: 'cpu.max', stat: 'cpu.stat' } as const;

export function formatMax(quotaUs: number | null, periodUs: number): string {
  return `${quotaUs === null ? 'max' : quotaUs} ${periodUs}`;
}

export function parseMax(raw: string): { quotaUs: number | null; periodUs: number } {
  const [q, p] = raw.trim().split(/\s+/);
  return { quotaUs: q === 'max' || q === undefined ? null : num(q), periodUs: num(p ?? null, 100_000) };
}

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const c = limits.cpu;
  if (!c) return;
  inTxn(tx, (tx) => {
    if (c.weight !== undefined) tx.write(path.join(dir, FILES.weight), String(c.weight));
    const q = quotaTarget(c);
    if (q) tx.write(path.join(dir, FILES.max), formatMax(q.quotaUs, q.periodUs));
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.cpu;
  const res: NonNullable<EffPart['cpu']> = {};
  const wf = path.join(dir, FILES.weight);
  const w = readTrim(wf);
  if (w !== null) res.weight = eff(num(w, 100), wf, w, req?.weight);
  const mf = path.join(dir, FILES.max);
  const m = readTrim(mf);
  if (m !== null) {
    const parsed = parseMax(m);
    const reqQ = req ? quotaTarget(req) : undefined;
    res.quotaUs = eff(
      parsed.quotaUs,
      mf,
      m,
      reqQ?.quotaUs,
      req?.cpus !== undefined ? `from cpus ${req.cpus}` : undefined,
    );
    res.periodUs = eff(parsed.periodUs, mf, m, reqQ?.periodUs);
  }
  return { cpu: res };
}

export function stats(dir: string, src: FileSource = directSource): CpuStats {
  const st = parseFlatKeyed(src.read(`${dir}/${FILES.stat}`));
  return {
    usageUsec: keyed(st, 'usage_usec'),
    userUsec: keyed(st, 'user_usec'),
    systemUsec: keyed(st, 'system_usec'),
    nrPeriods: keyed(st, 'nr_periods'),
    nrThrottled: keyed(st, 'nr_throttled'),
    throttledUsec: keyed(st, 'throttled_usec'),
  };
}

/** What a sampling tick reads: usage and throttling from cpu.stat (a core file: present without the cpu controller). */
export function sampleFiles(dir: string): SampleFile[] {
  return [
    {
      path: `${dir}/${FILES.stat}`,
      kind: 'keyed',
      keys: ['usage_usec', 'nr_periods', 'nr_throttled'],
      slots: [SLOT.cpuUsec, SLOT.nrPeriods, SLOT.nrThrottled],
    },
  ];
}

/** Limits: cpu.weight and cpu.max, where the cpu controller is enabled. */
export const controller: Controller = { key: 'cpu', name: 'cpu', files: FILES, apply, read };

/** v1's cpuacct role: cpu.stat's usage and throttling fields are core, read in every unified group. */
export const usage: Controller<{ cpu: CpuStats }> = {
  key: 'cpuacct',
  name: 'cpu',
  core: true,
  files: { stat: FILES.stat },
  stats: (dir, ctx) => ({ cpu: stats(dir, ctx.src) }),
  sampleFiles,
};
