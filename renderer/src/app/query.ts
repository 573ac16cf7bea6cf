/**
 * TanStack Query setup and the key-factory shape every feature follows:
 * `all → lists → list(filter) → details → detail(id)`, so an event can
 * invalidate exactly the keys it touches (a whole feature, its lists, or one
 * item). Features add their own singleton keys next to these.
 */
import { QueryClient } from '@tanstack/react-query';
import { BerthError, ErrorCodes, type ErrorCode } from '../../../preload/errors';

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
const FINAL: ReadonlySet<ErrorCode> = new Set([
  ErrorCodes.BAD_REQUEST,
  ErrorCodes.BAD_PARAMS,
  ErrorCodes.BAD_RESULT,
  ErrorCodes.METHOD_NOT_FOUND,
  ErrorCodes.UNAUTHORIZED,
  ErrorCodes.FORBIDDEN_ORIGIN,
  ErrorCodes.PEER_REFUSED,
  ErrorCodes.HELPER_NOT_INSTALLED,
  ErrorCodes.HELPER_AUTH_FAILED,
  ErrorCodes.TRANSPORT_UNAVAILABLE,
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
