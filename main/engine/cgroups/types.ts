/** Types shared by the controller files and the drivers. */
import type {
  Effective,
  EffectiveLimits,
  Limits,
  ResourceStats,
  UnsupportedLimit,
} from '../../../preload/schemas/resources';
import { cgroupError } from './errors';

export type { Effective, EffectiveLimits, Limits, ResourceStats, UnsupportedLimit };

/** What one controller's read() contributes to EffectiveLimits. */
export type EffPart = Partial<Omit<EffectiveLimits, 'driver' | 'groups' | 'unsupported'>> & {
  unsupported?: UnsupportedLimit[];
};

export type CpuStats = ResourceStats['cpu'];
export type MemoryStats = ResourceStats['memory'];
export type PidsStats = ResourceStats['pids'];
export type IoStats = ResourceStats['io'];
export type PressureStats = NonNullable<ResourceStats['pressure']>;

/** Throws CGROUP_UNSUPPORTED naming the Limits path and why. */
export function unsupported(limit: string, reason: string): never {
  throw cgroupError('CGROUP_UNSUPPORTED', `${limit} is not supported here: ${reason}`, { limit, reason });
}

export function eff<T>(value: T, file: string, raw: string, requested: T | undefined, note?: string): Effective<T> {
  const e: Effective<T> = { value, file, raw };
  if (requested !== undefined) e.requested = requested;
  if (note !== undefined) e.note = note;
  return e;
}

/** Merge controller parts: sections are merged one level deep, unsupported lists concatenated. */
export function mergeParts(parts: EffPart[]): EffPart {
  const out: Record<string, unknown> = {};
  const unsupportedAll: UnsupportedLimit[] = [];
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (k === 'unsupported') {
        unsupportedAll.push(...(v as UnsupportedLimit[]));
        continue;
      }
      if (v === undefined) continue;
      const prev = out[k];
      out[k] =
        prev && typeof prev === 'object' && !Array.isArray(prev) && typeof v === 'object' && v !== null
          ? { ...(prev as object), ...(v as object) }
          : v;
    }
  }
  return { ...(out as EffPart), unsupported: unsupportedAll };
}
