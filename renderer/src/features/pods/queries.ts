/**
 * Pods feature keys and queries (`pods.*`, served by the helper). Keys:
 * `pods → list → list({}) → detail → detail(id)`. A pod's member list comes
 * from the engine with each pod, so `containers.changed` (a member started or
 * died) invalidates the pod lists too (sync.ts).
 */
import { queryOptions } from '@tanstack/react-query';
import type { Result } from '../../../../preload/contract';
import type { BerthClient } from '../../app/client';
import { featureKeys } from '../../app/query';

export type PodSummary = Result<'pods.list'>[number];

export const podsKeys = featureKeys<'pods', Record<string, never>>('pods');

export const podsQueries = {
  list: (client: BerthClient) =>
    queryOptions({
      queryKey: podsKeys.list({}),
      queryFn: () => client.invoke('pods.list', {}),
      refetchOnMount: 'always',
    }),
};
