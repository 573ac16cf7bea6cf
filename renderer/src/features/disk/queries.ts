/** Disk feature keys and queries (`disk.*`: system df and prune plans, served by the helper). */
import { queryOptions } from '@tanstack/react-query';
import type { DiskKindT } from '../../../../preload/schemas/disk';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';

const base = featureKeys('disk');

export const diskKeys = {
  ...base,
  usage: () => [...base.all, 'usage'] as const,
  plans: () => [...base.all, 'plan'] as const,
  plan: (kinds: readonly DiskKindT[], all: boolean) => [...base.all, 'plan', { kinds, all }] as const,
};

export const diskQueries = {
  usage: (client: BerthClient) =>
    queryOptions({
      queryKey: diskKeys.usage(),
      queryFn: () => client.invoke('disk.usage', {}),
      staleTime: 5_000,
    }),
  plan: (client: BerthClient, kinds: readonly DiskKindT[], all: boolean) =>
    queryOptions({
      queryKey: diskKeys.plan(kinds, all),
      queryFn: () => client.invoke('disk.plan', { kinds: [...kinds], all }),
      staleTime: 0,
    }),
};
