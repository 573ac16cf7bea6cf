/**
 * Keeps the query cache in step with what the backend pushes. Mounted once,
 * at app level (`<EventSync />` in App.tsx), so a page shown later is never
 * stale and no page has to remember to subscribe:
 * - `helper.state` replaces the `app.helperState` query's data and, when the
 *   helper (re)connects, invalidates the system queries (a new helper may
 *   report different facts: another pid, uptime, maybe another kernel view);
 * - each feature's own sync (its `sync.ts`) turns `containers.changed` and
 *   `images.changed` into invalidations of exactly the keys they touch;
 * - a web-mode WebSocket that reopens after a drop missed every event in
 *   between, so everything is refetched once.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { useContainersSync } from '../features/containers/sync';
import { useImagesSync } from '../features/images/sync';
import { useNamespacesSync } from '../features/namespaces/sync';
import { useNetworksSync } from '../features/networks/sync';
import { useResourcesSync } from '../features/resources/sync';
import { useVolumesSync } from '../features/volumes/sync';
import { useDiskSync } from '../features/disk/sync';
import { usePodsSync } from '../features/pods/sync';
import { systemKeys } from '../features/system/queries';
import { useBerth, useEvent } from './client';
import { appKeys } from './queries';
import type { TransportStatus } from './transport';
import type { HelperStateT } from '../../../preload/contract';

export function EventSync(): null {
  useHelperStateSync();
  useRefetchAfterReconnect();
  useContainersSync();
  useImagesSync();
  useNamespacesSync();
  useResourcesSync();
  useNetworksSync();
  useVolumesSync();
  useDiskSync();
  usePodsSync();
  return null;
}

export function useHelperStateSync(): void {
  const qc = useQueryClient();
  useEvent('helper.state', (next) => {
    const prev = qc.getQueryData<HelperStateT>(appKeys.helperState());
    if (prev && Date.parse(prev.at) > Date.parse(next.at)) return; // an answer newer than this event is already shown
    qc.setQueryData(appKeys.helperState(), next);
    if (next.state === 'connected' && (prev?.state !== 'connected' || prev.pid !== next.pid)) {
      void qc.invalidateQueries({ queryKey: systemKeys.all });
    }
  });
}

export function useTransportStatus(): TransportStatus {
  const client = useBerth();
  return useSyncExternalStore(client.onTransportStatus, client.transportStatus);
}

export function useRefetchAfterReconnect(): void {
  const qc = useQueryClient();
  const client = useBerth();
  useEffect(
    () =>
      client.onTransportStatus((s) => {
        if (s.state === 'open' && s.opens > 1) void qc.invalidateQueries();
      }),
    [client, qc],
  );
}
