/** Volumes feature keys and queries (`volumes.*`, served by the helper). */
import { queryOptions } from '@tanstack/react-query';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';

export const volumesKeys = featureKeys<'volumes', { size: boolean }>('volumes');

export const volumesQueries = {
  list: (client: BerthClient) =>
    queryOptions({
      queryKey: volumesKeys.list({ size: true }),
      queryFn: () => client.invoke('volumes.list', { size: true }),
    }),
  /** Names and users only, no sizes measured (what a container's remove dialog needs). */
  users: (client: BerthClient) =>
    queryOptions({
      queryKey: volumesKeys.list({ size: false }),
      queryFn: () => client.invoke('volumes.list', { size: false }),
    }),
};
