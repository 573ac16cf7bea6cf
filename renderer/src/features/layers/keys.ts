/**
 * Layer inspector keys, apart from the queries: the app-wide sync imports
 * them (images/sync.ts), and the queries pull in the change-list decoder and
 * zod, which belong in the inspector's lazy chunk, not the app's first one.
 */
import { featureKeys } from '../../app/query';

const base = featureKeys('layers');

export const layersKeys = {
  ...base,
  analyses: () => [...base.all, 'analysis'] as const,
  analysis: (ref: string) => [...base.all, 'analysis', ref] as const,
  file: (sourceId: string, layer: number, path: string) => [...base.all, 'file', sourceId, layer, path] as const,
  compare: (sourceId: string, ref: string) => [...base.all, 'compare', sourceId, ref] as const,
};

/** An image ID (the config digest): what it names never changes. */
export const isImageId = (ref: string): boolean => /^sha256:[0-9a-f]{64}$/.test(ref);
