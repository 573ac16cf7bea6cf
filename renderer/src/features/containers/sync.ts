/**
 * `containers.changed` → invalidate exactly what one container's change can
 * touch: every list (membership and state), and that container's detail
 * subtree (inspect + diff). A detail is matched by its key (the full id the
 * table links to) or, when it was opened by name or id prefix, by the id in
 * its data.
 *
 * The list is THE `containers.list` cache entry: the Containers, Namespaces
 * and Resources pages all read `containersQueries.list`. Mounted once,
 * app-wide (app/sync.ts).
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { EventPayload } from '../../../../preload/contract';
import { useEvent } from '../../app/client';
import { containersKeys, type ContainerDetail } from './queries';

export function invalidateForEvent(qc: QueryClient, e: Pick<EventPayload<'containers.changed'>, 'id'>): void {
  void qc.invalidateQueries({ queryKey: containersKeys.lists() });
  void qc.invalidateQueries({
    queryKey: containersKeys.details(),
    predicate: (q) => {
      const ref = q.queryKey[2];
      if (ref === e.id) return true;
      const data = qc.getQueryData<ContainerDetail>(containersKeys.detail(String(ref)));
      return data?.id === e.id;
    },
  });
}

export function useContainersSync(): void {
  const qc = useQueryClient();
  useEvent('containers.changed', (e) => invalidateForEvent(qc, e));
}
