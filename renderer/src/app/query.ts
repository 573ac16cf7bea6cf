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

declare module '@tanstack/react-query' {
  interface Register {
    /** `poll: true`: refetched every refresh-rate seconds (the user's preference) while shown. */
    queryMeta: { poll?: boolean };
  }
}

/** For `queryOptions({ …, meta: POLL })`: lists that events do not keep complete (stats, sizes, other users of the engine). */
export const POLL = { poll: true } as const;

const pollIntervals = new WeakMap<QueryClient, { ms: number }>();

/**
 * Sets how often `POLL` queries refetch (0 = never). Queries that are shown
 * are refetched once so their timers take the new rate at once.
 */
export function setPollInterval(qc: QueryClient, ms: number): void {
  const poll = pollIntervals.get(qc);
  if (!poll || poll.ms === ms) return;
  poll.ms = ms;
  void qc.invalidateQueries({ predicate: (q) => q.meta?.poll === true, refetchType: 'active' });
}

export function createQueryClient(): QueryClient {
  const poll = { ms: 0 };
  const qc = new QueryClient({
    defaultOptions: {
      queries: {
        refetchInterval: (q) => (q.meta?.poll === true && poll.ms > 0 ? poll.ms : false),
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        retry: (failures, err) => !(err instanceof BerthError && FINAL.has(err.code)) && failures < 2,
      },
      mutations: { retry: false },
    },
  });
  pollIntervals.set(qc, poll);
  return qc;
}
