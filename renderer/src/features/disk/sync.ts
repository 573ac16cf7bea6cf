/**
 * Anything stored changing (a container, an image, a volume) changes the
 * figures and what a prune would take: the usage and any plan on screen are
 * refetched. Mounted once, app-wide (app/sync.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEvent } from '../../app/client';
import { diskKeys } from './queries';

export function useDiskSync(): void {
  const qc = useQueryClient();
  const stale = (): void => void qc.invalidateQueries({ queryKey: diskKeys.all });
  useEvent('containers.changed', (e) => {
    if (e.action === 'create' || e.action === 'remove' || e.action === 'die' || e.action === 'start') stale();
  });
  useEvent('images.changed', stale);
  useEvent('volumes.changed', stale);
}
