/**
 * The Pods feature's mutations. None touches the cache: each causes
 * `pods.changed` (and `containers.changed` for the members), which sync.ts
 * turns into invalidations.
 */
import { useMutation, type UseMutationOptions } from '@tanstack/react-query';
import { useBerth } from '../../app/client';

export type PodAction = { kind: 'start' } | { kind: 'stop' } | { kind: 'remove'; force: boolean };

export function usePodAction(
  id: string,
  options: Omit<UseMutationOptions<unknown, Error, PodAction>, 'mutationFn'> = {},
) {
  const client = useBerth();
  return useMutation({
    ...options,
    mutationFn: (a: PodAction): Promise<unknown> => {
      if (a.kind === 'start') return client.invoke('pods.start', { id });
      if (a.kind === 'stop') return client.invoke('pods.stop', { id, timeoutSec: 10 });
      return client.invoke('pods.remove', { id, force: a.force });
    },
  });
}
