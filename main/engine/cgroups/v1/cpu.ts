/**
 * v1 cpu controller (CFS): cpu.shares, cpu.cfs_quota_us / cpu.cfs_period_us,
 * throttling counters in cpu.stat. Where cpu and cpuacct are co-mounted
 * ("cpu,cpuacct") the directory is the same; the driver passes it to both files.
 *
 *   weight (1..10000) → cpu.shares = 2 + ceil((weight-1) × 262142 / 9999)
 *   quota / cpus      → cpu.cfs_period_us, cpu.cfs_quota_us ("-1" = no quota)
 */
import path from 'node:path';
import type { Limits } from '../../../../preload/schemas/resources';
import { DEFAULT_PERIOD_US, cpusToQuota, sharesForWeight, sharesToWeight } from '../convert';
import { type FileSource, type WriteTxn, directSource, inTxn, keyed, num, parseFlatKeyed, readTrim } from '../fsutil';
import { type CpuStats, type EffPart, eff } from '../types';
import { BerthError } from '../../../../preload/errors';
import { SLOT, SLOW_EVERY, type SampleFile } from '../sample-layout';
import type { Controller } from '../controller';

export const FILES = {
  shares: 'cpu.shares',
  quota: 'cpu.cfs_quota_us',
  period: 'cpu.cfs_period_us',
  stat: 'cpu.stat',
} as const;

/** The quota/period pair a Limits.cpu asks for, or undefined when it leaves them alone. */
export function quotaTarget(c: NonNullable<Limits['cpu']>): { quotaUs: number | null; periodUs: number } | undefined {
  if (c.cpus !== undefined) {
    const periodUs = c.quota?.periodUs ?? DEFAULT_PERIOD_US;
    return { quotaUs: cpusToQuota(c.cpus, periodUs), periodUs };
  }
  if (c.quota) return { quotaUs: c.quota.quotaUs, periodUs: c.quota.periodUs ?? DEFAULT_PERIOD_US };
  return undefined;
}

/**
 * Shares a group held before Berth changed them, per cpu.shares file, so a
 * weight that reads back from them maps to them again (sharesForWeight).
 * Bounded: a few values per group, a few thousand groups.
 */
const earlier = new Map<string, number[]>();
const EARLIER_PER_FILE = 8;
const EARLIER_FILES = 4096;

function earlierShares(file: string): readonly number[] {
  return earlier.get(file) ?? [];
}

function rememberShares(file: string, shares: number): void {
  const list = (earlier.get(file) ?? []).filter((s) => s !== shares);
  list.unshift(shares);
  earlier.delete(file); // re-insert: the Map's order is least recently changed first
  earlier.set(file, list.slice(0, EARLIER_PER_FILE));
  if (earlier.size > EARLIER_FILES) earlier.delete(earlier.keys().next().value!);
}

export function apply(dir: string, limits: Limits, tx?: WriteTxn): void {
  const c = limits.cpu;
  if (!c) return;
  inTxn(tx, (tx) => {
    if (c.weight !== undefined) {
      const file = path.join(dir, FILES.shares);
      const raw = readTrim(file);
      const current = raw === null ? null : num(raw, -1);
      const shares = sharesForWeight(c.weight, current, earlierShares(file));
      if (current !== null && current !== shares) rememberShares(file, current);
      tx.write(file, String(shares));
    }
    const q = quotaTarget(c);
    if (!q) return;
    const quotaFile = path.join(dir, FILES.quota);
    const periodFile = path.join(dir, FILES.period);
    const quota = q.quotaUs === null ? '-1' : String(q.quotaUs);
    try {
      tx.write(periodFile, String(q.periodUs));
      tx.write(quotaFile, quota);
    } catch (err) {
      // As runc does: a period the old quota does not fit may need the quota first.
      if (!(err instanceof BerthError) || err.details?.errno !== 'EINVAL' || err.details.file !== periodFile) throw err;
      tx.write(quotaFile, quota);
      tx.write(periodFile, String(q.periodUs));
    }
  });
}

export function read(dir: string, requested?: Limits): EffPart {
  const req = requested?.cpu;
  const out: NonNullable<EffPart['cpu']> = {};
  const sharesFile = path.join(dir, FILES.shares);
  const rawShares = readTrim(sharesFile);
  if (rawShares !== null)
    out.weight = eff(
      sharesToWeight(num(rawShares, 1024)),
      sharesFile,
      rawShares,
      req?.weight,
      `cpu.shares ${rawShares} ↔ weight 1 + (shares-2)×9999/262142`,
    );
  const reqQ = req ? quotaTarget(req) : undefined;
  const quotaFile = path.join(dir, FILES.quota);
  const rawQuota = readTrim(quotaFile);
  if (rawQuota !== null) {
    const q = num(rawQuota, -1);
    out.quotaUs = eff(
      q < 0 ? null : q,
      quotaFile,
      rawQuota,
      reqQ?.quotaUs,
      req?.cpus !== undefined ? `from cpus ${req.cpus}` : undefined,
    );
  }
  const periodFile = path.join(dir, FILES.period);
  const rawPeriod = readTrim(periodFile);
  if (rawPeriod !== null) out.periodUs = eff(num(rawPeriod), periodFile, rawPeriod, reqQ?.periodUs);
  return { cpu: out };
}

/** Throttling counters; cpu.stat throttled_time is in ns. */
export function stats(dir: string, src: FileSource = directSource): Partial<CpuStats> {
  const st = parseFlatKeyed(src.read(`${dir}/${FILES.stat}`));
  return {
    nrPeriods: keyed(st, 'nr_periods'),
    nrThrottled: keyed(st, 'nr_throttled'),
    throttledUsec: Math.floor(keyed(st, 'throttled_time') / 1000),
  };
}

/**
 * What a sampling tick reads: the throttling counters of cpu.stat, every tick
 * while a CFS quota is set; without one the kernel counts no periods, so every
 * SLOW_EVERY ticks (applying a quota re-plans the files: driver.onApply).
 */
export function sampleFiles(dir: string): SampleFile[] {
  const quota = num(readTrim(path.join(dir, FILES.quota)), -1);
  return [
    {
      path: `${dir}/${FILES.stat}`,
      kind: 'keyed',
      keys: ['nr_periods', 'nr_throttled'],
      slots: [SLOT.nrPeriods, SLOT.nrThrottled],
      ...(quota < 0 ? { every: SLOW_EVERY } : {}),
    },
  ];
}

/** Limits and throttling; usage is cpuacct's. */
export const controller: Controller<{ cpu: Partial<CpuStats> }> = {
  key: 'cpu',
  name: 'cpu',
  files: FILES,
  apply,
  read,
  stats: (dir, ctx) => ({ cpu: stats(dir, ctx.src) }),
  sampleFiles,
};
