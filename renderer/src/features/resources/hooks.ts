/**
 * The Resources feature's mutation: `resources.update` (the Limits editor's
 * Apply and Undo). The answer is the kernel's new read-back, so it replaces
 * the limits query's data at once; a refusal is all-or-nothing, so the
 * limits are re-read to show exactly what is in force.
 */
import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import type { Result } from '../../../../preload/contract';
import type { Limits } from '../../../../preload/schemas/resources';
import { useBerth } from '../../app/client';
import { resourcesKeys } from './queries';

/**
 * `fullId` is what the engine is asked about; `queryId` the id the limits
 * query was opened with (a name or prefix from the address bar). The
 * variables carry the limits plus whatever the caller needs back in its own
 * callbacks (an undo entry, the fields applied).
 */
export function useUpdateLimits<V extends { limits: Limits }>(
  fullId: string,
  queryId: string,
  options: Omit<UseMutationOptions<Result<'resources.update'>, Error, V>, 'mutationFn'> = {},
) {
  const client = useBerth();
  const qc = useQueryClient();
  return useMutation({
    ...options,
    mutationFn: (v: V) => client.invoke('resources.update', { id: fullId, limits: v.limits }),
    onSuccess: (res, v, ...rest) => {
      qc.setQueryData(resourcesKeys.limits(queryId), res);
      return options.onSuccess?.(res, v, ...rest);
    },
    onError: (err, v, ...rest) => {
      void qc.invalidateQueries({ queryKey: resourcesKeys.limits(queryId) });
      return options.onError?.(err, v, ...rest);
    },
  });
}
