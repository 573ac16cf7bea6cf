/** The Volumes feature's mutations; each refreshes the lists when it settles (the event does too). */
import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import type { Params, Result } from '../../../../preload/contract';
import { useBerth } from '../../app/client';
import { volumesKeys } from './queries';

type M = 'volumes.create' | 'volumes.remove';
type Options<K extends M> = Omit<UseMutationOptions<Result<K>, Error, Params<K>>, 'mutationFn' | 'onSettled'>;

function useVolumesMutation<K extends M>(method: K, options: Options<K>) {
  const client = useBerth();
  const qc = useQueryClient();
  return useMutation({
    ...options,
    mutationFn: (params: Params<K>) => client.invoke(method, params),
    onSettled: () => qc.invalidateQueries({ queryKey: volumesKeys.lists() }),
  });
}

export const useCreateVolume = (options: Options<'volumes.create'> = {}) =>
  useVolumesMutation('volumes.create', options);
export const useRemoveVolume = (options: Options<'volumes.remove'> = {}) =>
  useVolumesMutation('volumes.remove', options);
