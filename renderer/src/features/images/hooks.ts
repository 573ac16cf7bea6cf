/**
 * The Images feature's mutations. Each refreshes the image lists when it
 * settles, success or not (a refused tag may still have moved nothing, a
 * failed pull may have stored some layers), on top of the `images.changed`
 * event the app-wide sync (sync.ts) hears.
 */
import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import type { Params, Result } from '../../../../preload/contract';
import { useBerth } from '../../app/client';
import { imagesKeys } from './queries';

type Options<M extends 'images.tag' | 'images.remove' | 'images.pull'> = Omit<
  UseMutationOptions<Result<M>, Error, Params<M>>,
  'mutationFn' | 'onSettled'
>;

function useImagesMutation<M extends 'images.tag' | 'images.remove' | 'images.pull'>(method: M, options: Options<M>) {
  const client = useBerth();
  const qc = useQueryClient();
  return useMutation({
    ...options,
    mutationFn: (params: Params<M>) => client.invoke(method, params),
    onSettled: () => qc.invalidateQueries({ queryKey: imagesKeys.lists() }),
  });
}

export const useTagImage = (options: Options<'images.tag'> = {}) => useImagesMutation('images.tag', options);
export const useRemoveImage = (options: Options<'images.remove'> = {}) => useImagesMutation('images.remove', options);
export const usePullImage = (options: Options<'images.pull'> = {}) => useImagesMutation('images.pull', options);
