/** System feature keys and queries (`system.*` methods, served by the helper). */
import { queryOptions } from '@tanstack/react-query';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';

const base = featureKeys('system');

export const systemKeys = {
  ...base,
  info: () => [...base.all, 'info'] as const,
};

export const systemQueries = {
  info: (client: BerthClient) =>
    queryOptions({
      queryKey: systemKeys.info(),
      queryFn: () => client.invoke('system.info', {}),
      staleTime: 30_000,
    }),
};
