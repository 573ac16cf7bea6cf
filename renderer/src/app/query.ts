/**
 * TanStack Query setup and the key-factory shape every feature follows:
 * `all → lists → list(filter) → details → detail(id)`, so an event can
 * invalidate exactly the keys it touches (a whole feature, its lists, or one
 * item). Features add their own singleton keys next to these.
 */
import { QueryClient } from '@tanstack/react-query';
import { BerthError } from '../../../preload/errors';

export function featureKeys<
  const F extends string,
  Filter = Record<string, never>,
  Id extends string | number = string,
>(feature: F) {
  const all = [feature] as const;
  return {
    all,
    lists: () => [...all, 'list'] as const,
    list: (filter: Filter) => [...all, 'list', filter] as const,
    details: () => [...all, 'detail'] as const,
    detail: (id: Id) => [...all, 'detail', id] as const,
  };
}

/** Errors that a retry cannot fix: the request itself is wrong or refused. */
const FINAL = new Set([
  'BAD_REQUEST',
  'BAD_PARAMS',
  'BAD_RESULT',
  'METHOD_NOT_FOUND',
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
  'PEER_REFUSED',
  'HELPER_NOT_INSTALLED',
  'HELPER_AUTH_FAILED',
  'TRANSPORT_UNAVAILABLE',
]);

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        retry: (failures, err) => !(err instanceof BerthError && FINAL.has(err.code)) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
}
