/** The app's own queries (answered by main, not the helper). */
import { queryOptions } from '@tanstack/react-query';
import type { BerthClient } from './client';
import { featureKeys } from './query';

const base = featureKeys('app');

export const appKeys = {
  ...base,
  version: () => [...base.all, 'version'] as const,
  helperState: () => [...base.all, 'helperState'] as const,
};

export const appQueries = {
  version: (client: BerthClient) =>
    queryOptions({
      queryKey: appKeys.version(),
      queryFn: () => client.invoke('app.version', {}),
      staleTime: Infinity,
    }),
  /** Kept current by `helper.state` events (see useHelperStateSync). */
  helperState: (client: BerthClient) =>
    queryOptions({
      queryKey: appKeys.helperState(),
      queryFn: () => client.invoke('app.helperState', {}),
      staleTime: Infinity,
    }),
};
