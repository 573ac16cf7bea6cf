/**
 * Networks feature keys and queries (`networks.*`, served by the helper).
 * `networks.changed` and `containers.changed` invalidate them (sync.ts).
 */
import { queryOptions } from '@tanstack/react-query';
import type { Result } from '../../../../preload/contract';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';

export type NetworkSummary = Result<'networks.list'>[number];
export type NetworkDetail = Result<'networks.inspect'>;

export const networksKeys = featureKeys<'networks', Record<string, never>>('networks');

export const networksQueries = {
  list: (client: BerthClient) =>
    queryOptions({
      queryKey: networksKeys.list({}),
      queryFn: () => client.invoke('networks.list', {}),
    }),
  detail: (client: BerthClient, id: string) =>
    queryOptions({
      queryKey: networksKeys.detail(id),
      queryFn: () => client.invoke('networks.inspect', { id }),
    }),
};
