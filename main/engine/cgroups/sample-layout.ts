/**
 * The numbers one sampling tick keeps per container: a fixed row of SLOT
 * numbers that the native StatBatch fills from kept-open files (each
 * controller's sampleFiles() says which file feeds which slot) and that
 * History stores as columns. Counters are raw (rates come from deltas in
 * History); NaN means "this host has no such file".
 */
import type { StatFileSpec } from '../../../native/index';

export const SLOT = {
  /** CPU time used, µs (v2 cpu.stat usage_usec, v1 cpuacct.usage ns × 0.001). */
  cpuUsec: 0,
  nrPeriods: 1,
  nrThrottled: 2,
  memCurrent: 3,
  /** The hard limit in bytes; Infinity or v1's "unlimited" sentinel = none. */
  memLimit: 4,
  pids: 5,
  ioReadBytes: 6,
  ioWriteBytes: 7,
  netRxBytes: 8,
  netTxBytes: 9,
  /** v2 memory.events oom (v1 has none: NaN). */
  oom: 10,
  /** v2 memory.events oom_kill, v1 memory.oom_control oom_kill. */
  oomKill: 11,
  /** PSI avg10 (%), "some" and "full" lines. */
  psiCpuSome: 12,
  psiCpuFull: 13,
  psiMemorySome: 14,
  psiMemoryFull: 15,
  psiIoSome: 16,
  psiIoFull: 17,
} as const;

export const STRIDE = 18;

/**
 * Files read every 10th tick only: limits (they change only when written), and
 * counters that cannot move in the group's present setup (v1 throttling
 * without a CFS quota, interfaces of a namespace that has only lo). Every
 * write through the driver re-plans the group's files and reads them all on
 * the next tick (driver.onApply); a change made outside Berth shows within 10 s.
 */
export const SLOW_EVERY = 10;
/** The kernel recomputes PSI averages every 2 s (PSI_FREQ): reading them more often gives the same numbers. */
export const PSI_EVERY = 2;

export type SampleFile = StatFileSpec;

/** Slots for a kind's values: `pick` maps a value index to its slot, the rest are dropped. */
export function slots(count: number, pick: Record<number, number>): number[] {
  return Array.from({ length: count }, (_, i) => pick[i] ?? -1);
}

/** A PSI file → its some/full avg10 slots. */
export function psiFile(path: string, some: number, full: number): SampleFile {
  return { path, kind: 'psi', slots: slots(8, { 0: some, 4: full }), every: PSI_EVERY };
}

/** v1 "unlimited" (PAGE_COUNTER_MAX × PAGE_SIZE ≥ 0x7FFFFFFFFFFF0000) and v2 "max" → null. */
export function limitOrNull(v: number): number | null {
  return Number.isFinite(v) && v >= 0 && v < 0x7fffffffffff0000 ? v : null;
}
