/**
 * `containers.changed` → a container's limits (and, under that key, its
 * device policy): a start or stop creates or removes the cgroup whose files
 * the read-back shows. An OOM kill changes no limit. Mounted once, app-wide
 * (app/sync.ts). The live series' own subscription is live.ts's.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEvent } from '../../app/client';
import { resourcesKeys } from './queries';

export function useResourcesSync(): void {
  const qc = useQueryClient();
  useEvent('containers.changed', (e) => {
    if (e.action !== 'oom') void qc.invalidateQueries({ queryKey: resourcesKeys.limits(e.id) });
  });
}
