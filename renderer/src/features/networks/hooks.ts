/** The Networks feature's mutations; each refreshes the networks when it settles, on top of the events. */
import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import type { Params, Result } from '../../../../preload/contract';
import { useBerth } from '../../app/client';
import { networksKeys } from './queries';

type M = 'networks.create' | 'networks.remove';
type Options<K extends M> = Omit<UseMutationOptions<Result<K>, Error, Params<K>>, 'mutationFn' | 'onSettled'>;

function useNetworksMutation<K extends M>(method: K, options: Options<K>) {
  const client = useBerth();
  const qc = useQueryClient();
  return useMutation({
    ...options,
    mutationFn: (params: Params<K>) => client.invoke(method, params),
    onSettled: () => qc.invalidateQueries({ queryKey: networksKeys.all }),
  });
}

export const useCreateNetwork = (options: Options<'networks.create'> = {}) =>
  useNetworksMutation('networks.create', options);
export const useRemoveNetwork = (options: Options<'networks.remove'> = {}) =>
  useNetworksMutation('networks.remove', options);
