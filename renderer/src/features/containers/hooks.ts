/**
 * The Containers feature's mutations, one hook per engine call. None of them
 * touches the cache: every one causes a `containers.changed` event, and the
 * app-wide sync (sync.ts) invalidates exactly the keys it names. Components
 * add their own UI reactions through the usual mutation options.
 */
import { useMutation, type UseMutationOptions } from '@tanstack/react-query';
import type { Result } from '../../../../preload/contract';
import { useBerth, type BerthClient } from '../../app/client';
import type { CreateRequest } from './create-form';

export const SIGNALS = ['SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGINT', 'SIGUSR1'] as const;
export type Signal = (typeof SIGNALS)[number];

/** A lifecycle action of the actions bar (one pending state for all of them). */
export type Action =
  | { kind: 'start' }
  | { kind: 'stop'; timeoutSec: number }
  | { kind: 'restart'; timeoutSec: number }
  | { kind: 'pause' }
  | { kind: 'unpause' }
  | { kind: 'kill'; signal: Signal };

type Options<R, V> = Omit<UseMutationOptions<R, Error, V>, 'mutationFn'>;

/** One lifecycle call (the hook's, and the command palette's through the same mutation key). */
export function runContainerAction(client: BerthClient, id: string, a: Action): Promise<unknown> {
  switch (a.kind) {
    case 'start':
      return client.invoke('containers.start', { id });
    case 'stop':
      return client.invoke('containers.stop', { id, timeoutSec: a.timeoutSec });
    case 'restart':
      return client.invoke('containers.restart', { id, timeoutSec: a.timeoutSec });
    case 'pause':
      return client.invoke('containers.pause', { id });
    case 'unpause':
      return client.invoke('containers.unpause', { id });
    case 'kill':
      return client.invoke('containers.kill', { id, signal: a.signal });
  }
}

/** Mutation keys name the container, so app-wide observers (notifications) know whose stop was asked for. */
export const containerMutationKeys = {
  action: (id: string) => ['containers', 'action', id] as const,
  remove: (id: string) => ['containers', 'remove', id] as const,
};

/** start / stop / restart / pause / unpause / kill of one container. */
export function useContainerAction(id: string, options: Options<unknown, Action> = {}) {
  const client = useBerth();
  return useMutation({
    ...options,
    mutationKey: containerMutationKeys.action(id),
    mutationFn: (a: Action) => runContainerAction(client, id, a),
  });
}

/** What a remove asks for: force (kill it first if it runs), volumes (`rm -v`: its anonymous volumes too). */
export interface RemoveVariables {
  force: boolean;
  volumes: boolean;
}

/** `containers.remove`. */
export function useRemoveContainer(id: string, options: Options<unknown, RemoveVariables> = {}) {
  const client = useBerth();
  return useMutation({
    ...options,
    mutationKey: containerMutationKeys.remove(id),
    mutationFn: ({ force, volumes }: RemoveVariables) => client.invoke('containers.remove', { id, force, volumes }),
  });
}

export type Created = Result<'containers.create'> & { started: boolean };

export interface CreateVariables {
  /** null when `created` is set: a retry of the start only. */
  request: CreateRequest | null;
  start: boolean;
  /** The container an earlier "Create and start" created before its start failed. */
  created: Result<'containers.create'> | null;
}

/**
 * `containers.create`, then `containers.start` when asked. `onCreated` hears
 * of the container as soon as it exists, so a failed start can be retried
 * without creating a second one.
 */
export function useCreateContainer(
  onCreated: (c: Result<'containers.create'>) => void,
  options: Options<Created, CreateVariables> = {},
) {
  const client = useBerth();
  return useMutation({
    ...options,
    mutationFn: async ({ request, start, created }: CreateVariables): Promise<Created> => {
      let c = created;
      if (!c) {
        if (!request) throw new Error('nothing to create');
        c = await client.invoke('containers.create', request);
      }
      onCreated(c);
      if (start) await client.invoke('containers.start', { id: c.id });
      return { ...c, started: start };
    },
  });
}
