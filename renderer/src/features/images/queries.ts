/**
 * Images feature keys and queries (`images.*`, served by the helper).
 * `images.changed` events invalidate the lists and details (see sync.ts).
 */
import { queryOptions } from '@tanstack/react-query';
import type { Params, Result } from '../../../../preload/contract';
import type { BerthClient } from '../../app/client';
import { POLL, featureKeys } from '../../app/query';

export type ImageListFilter = NonNullable<Params<'images.list'>['filter']>;
export type ImageSummary = Result<'images.list'>[number];
export type ImageDetail = Result<'images.inspect'>;

const base = featureKeys<'images', ImageListFilter>('images');

export const imagesKeys = {
  ...base,
  histories: () => [...base.all, 'history'] as const,
  history: (ref: string) => [...base.all, 'history', ref] as const,
};

export const imagesQueries = {
  list: (client: BerthClient, filter: ImageListFilter = {}) =>
    queryOptions({
      queryKey: imagesKeys.list(filter),
      queryFn: () => client.invoke('images.list', Object.keys(filter).length ? { filter } : {}),
      meta: POLL,
    }),
  detail: (client: BerthClient, ref: string) =>
    queryOptions({
      queryKey: imagesKeys.detail(ref),
      queryFn: () => client.invoke('images.inspect', { ref }),
    }),
  history: (client: BerthClient, ref: string) =>
    queryOptions({
      queryKey: imagesKeys.history(ref),
      queryFn: () => client.invoke('images.history', { ref }),
    }),
};
