/**
 * `volumes.changed` → the volume lists; `containers.changed` (create,
 * remove, rename) → the lists too, for each volume's users. Mounted once,
 * app-wide (app/sync.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEvent } from '../../app/client';
import { volumesKeys } from './queries';

export function useVolumesSync(): void {
  const qc = useQueryClient();
  useEvent('volumes.changed', () => void qc.invalidateQueries({ queryKey: volumesKeys.lists() }));
  useEvent('containers.changed', (e) => {
    if (e.action === 'create' || e.action === 'remove' || e.action === 'rename')
      void qc.invalidateQueries({ queryKey: volumesKeys.lists() });
  });
}
