/**
 * `networks.changed` → the lists and details; `containers.changed` too (a
 * container's start, stop or removal changes who is attached and with what
 * address). Mounted once, app-wide (app/sync.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEvent } from '../../app/client';
import { networksKeys } from './queries';

export function useNetworksSync(): void {
  const qc = useQueryClient();
  const refresh = (): void => void qc.invalidateQueries({ queryKey: networksKeys.all });
  useEvent('networks.changed', refresh);
  useEvent('containers.changed', (e) => {
    if (
      e.action === 'start' ||
      e.action === 'die' ||
      e.action === 'create' ||
      e.action === 'remove' ||
      e.action === 'rename'
    )
      refresh();
  });
}
