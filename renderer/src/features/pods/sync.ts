/**
 * `pods.changed` → the pod lists; `containers.changed` → the pod lists as well
 * (a member's state is part of its pod's row). Mounted once (app/sync.ts).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEvent } from '../../app/client';
import { podsKeys } from './queries';

export function usePodsSync(): void {
  const qc = useQueryClient();
  useEvent('pods.changed', () => void qc.invalidateQueries({ queryKey: podsKeys.all }));
  useEvent('containers.changed', () => void qc.invalidateQueries({ queryKey: podsKeys.lists() }));
}
