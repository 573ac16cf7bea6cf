/**
 * Resources feature keys and queries. Live series are not queries: they live
 * in the SeriesStore (live.ts), filled once from `resources.history` and then
 * from `resources.sample` events. What is a query:
 *
 * - `limits(id)`: `resources.limits` (requested + kernel read-back), replaced
 *   by the answer of `resources.update`, refetched after a refusal and when
 *   the container starts/stops (`containers.changed`, sync.ts);
 * - `stats(id)`: `resources.stats {id}` for what samples do not carry (PSI,
 *   OOM counters, per-device IO), polled every 2 s while a tab shows it;
 * Names and states for the views are the Containers feature's list
 * (`containersQueries.list(client, { all: true })`), one cache entry app-wide.
 */
import { queryOptions } from '@tanstack/react-query';
import type { Result } from '../../../../preload/contract';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';

export type LimitsAnswer = Result<'resources.limits'>;
export type StatsAnswer = Result<'resources.stats'>;
export type ContainerList = Result<'containers.list'>;

const base = featureKeys('resources');

export const resourcesKeys = {
  ...base,
  limits: (id: string) => [...base.all, 'detail', id, 'limits'] as const,
  stats: (id: string) => [...base.all, 'detail', id, 'stats'] as const,
};

export const STATS_POLL_MS = 2000;

export const resourcesQueries = {
  limits: (client: BerthClient, id: string) =>
    queryOptions({
      queryKey: resourcesKeys.limits(id),
      queryFn: () => client.invoke('resources.limits', { id }),
      staleTime: 30_000,
    }),
  stats: (client: BerthClient, id: string) =>
    queryOptions({
      queryKey: resourcesKeys.stats(id),
      queryFn: async () => (await client.invoke('resources.stats', { id }))[0] ?? null,
      refetchInterval: STATS_POLL_MS,
      staleTime: 1000,
      retry: false,
    }),
};

/** A container reference (full id, short id or name) → its summary. */
export function findContainer(list: ContainerList | undefined, ref: string): ContainerList[number] | undefined {
  if (!list) return undefined;
  return (
    list.find((c) => c.id === ref) ??
    list.find((c) => c.name === ref) ??
    (ref.length >= 4 ? list.find((c) => c.id.startsWith(ref)) : undefined)
  );
}
