/**
 * Containers feature keys and queries (`containers.*`, served by the helper).
 *
 * Keys: `containers → list → list({all}) → detail → detail(id) → detail(id,'diff')`,
 * so one `containers.changed` event invalidates the lists and exactly the
 * container it names (its inspect and its diff) — see sync.ts. This is THE
 * cache of `containers.list`: the Namespaces and Resources pages read
 * `containersQueries.list(client, { all: true })` too. Logs are not
 * cached here: the Logs tab polls them with the engine's cursor.
 */
import { queryOptions } from '@tanstack/react-query';
import type { Result } from '../../../../preload/contract';
import type { BerthClient } from '../../app/client';
import { POLL, featureKeys } from '../../app/query';
import { BerthError, ErrorCodes } from '../../../../preload/errors';

export interface ContainerListFilter {
  all: boolean;
}

export type ContainerSummary = Result<'containers.list'>[number];
export type ContainerDetail = Result<'containers.inspect'>;
export type FsChange = Result<'containers.diff'>[number];
export type LogLine = Result<'containers.logs'>['lines'][number];

/** A container that is gone stays gone: show that at once instead of retrying. */
const retryUnlessGone = (failures: number, err: unknown): boolean =>
  !(err instanceof BerthError && (err.code === ErrorCodes.CONTAINER_NOT_FOUND || err.code === ErrorCodes.BAD_PARAMS)) &&
  failures < 2;

const base = featureKeys<'containers', ContainerListFilter>('containers');

export const containersKeys = {
  ...base,
  /** Under detail(id): invalidating a container's detail refreshes its diff too. */
  diff: (id: string) => [...base.detail(id), 'diff'] as const,
  /** A directory listing of the Files tab (under detail(id), like the diff). */
  ls: (id: string, path: string) => [...base.detail(id), 'ls', path] as const,
};

export const containersQueries = {
  list: (client: BerthClient, filter: ContainerListFilter) =>
    queryOptions({
      queryKey: containersKeys.list(filter),
      queryFn: () => client.invoke('containers.list', { all: filter.all }),
      // Events keep it current (app/sync.ts); a view shown again refetches once
      // anyway, for what changed while the helper was away (no events then).
      refetchOnMount: 'always',
      meta: POLL, // uptimes, and what a second client (the CLI) did while the helper was away
    }),
  detail: (client: BerthClient, id: string) =>
    queryOptions({
      queryKey: containersKeys.detail(id),
      queryFn: () => client.invoke('containers.inspect', { id }),
      refetchOnMount: 'always',
      retry: retryUnlessGone,
    }),
  ls: (client: BerthClient, id: string, path: string) =>
    queryOptions({
      queryKey: containersKeys.ls(id, path),
      queryFn: () => client.invoke('containers.cp.list', { id, path }),
      refetchOnMount: 'always',
      retry: retryUnlessGone,
    }),
  diff: (client: BerthClient, id: string) =>
    queryOptions({
      queryKey: containersKeys.diff(id),
      queryFn: () => client.invoke('containers.diff', { id }),
      refetchOnMount: 'always',
      retry: retryUnlessGone,
    }),
};
