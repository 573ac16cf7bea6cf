/**
 * CPU % and memory per container for the table: the helper's per-second
 * resources.sample event (one row per running container), seeded from
 * resources.stats so the columns fill before the first tick arrives.
 */
import { useEffect, useState } from 'react';
import { useBerth, useEvent } from '../../app/client';

export interface ContainerStatsCell {
  /** 100 = one full CPU, like docker stats; null while a rate needs a second sample. */
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** The hard limit in force; null = unlimited. */
  memoryLimit: number | null;
}

export const STATS_PENDING_TITLE = 'waiting for the first sample (cgroup files, read every second)';

type Row = { id: string; cpuPercent: number | null; memoryBytes: number; memoryLimit: number | null };

function toMap(rows: readonly Row[]): Map<string, ContainerStatsCell> {
  return new Map(
    rows.map((r) => [r.id, { cpuPercent: r.cpuPercent, memoryBytes: r.memoryBytes, memoryLimit: r.memoryLimit }]),
  );
}

export function useContainerStats(): ReadonlyMap<string, ContainerStatsCell> | null {
  const client = useBerth();
  const [stats, setStats] = useState<Map<string, ContainerStatsCell> | null>(null);
  useEffect(() => {
    let live = true;
    client
      .invoke('resources.stats', {})
      .then((r) => live && setStats((s) => s ?? toMap(r.map((x) => x.row))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [client]);
  useEvent('resources.sample', (e) => setStats(toMap(e.rows)));
  return stats;
}
