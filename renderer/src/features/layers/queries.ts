/**
 * Layer inspector keys and queries. An analysis of an image ID never
 * changes (the ID is the config digest), so it is never stale; one of a tag
 * is invalidated when the store changes (the tag may have moved).
 */
import { experimental_streamedQuery as streamedQuery, queryOptions } from '@tanstack/react-query';
import type { AnalysisSummaryT, UnpackedImageAnalysisT } from '../../../../preload/schemas/images';
import type { BerthClient } from '../../app/client';
import { withChanges } from './analyze-file';
import { isImageId, layersKeys } from './keys';

/** An analysis as the inspector uses it: the wire's packed change lists decoded to objects (`unpackAnalysis`). */
export type ImageAnalysis = UnpackedImageAnalysisT;
/** What main answers first for a dropped archive: the analysis without change lists (`layers.summarize*`). */
export type AnalysisSummary = AnalysisSummaryT;
/** One layer as the summary and the layer table need it (no change list). */
export type LayerAnalysis = AnalysisSummary['layers'][number];
/** What the inspector shows while the change lists are on their way: the analysis without them. */
export type AnalysisView = Omit<ImageAnalysis, 'layers'> & { layers: readonly LayerAnalysis[] };

/**
 * A store image's analysis as it arrives: the summary first (`summary` set,
 * `analysis` null), then everything (`analysis`, the change lists decoded).
 */
export interface StoreAnalysis {
  summary: AnalysisSummary | null;
  analysis: ImageAnalysis | null;
}

type StoreAnalysisPart = { summary: AnalysisSummary } | { analysis: ImageAnalysis };

export const layersQueries = {
  /** This analysis (its sourceId) against an image of the store (`layers.compare`). */
  compare: (client: BerthClient, sourceId: string, ref: string) =>
    queryOptions({
      queryKey: layersKeys.compare(sourceId, ref),
      queryFn: () => client.invoke('layers.compare', { from: { sourceId }, to: { ref } }),
      staleTime: isImageId(ref) ? Infinity : 60_000,
      gcTime: 120_000,
      retry: false,
    }),
  /**
   * One file as of a layer (`layers.readFile`): what a source holds never
   * changes, so it is never stale; a failure (LAYER_SOURCE_GONE,
   * LAYER_PATH_NOT_FOUND…) is shown, not retried.
   */
  file: (client: BerthClient, sourceId: string, layer: number, path: string) =>
    queryOptions({
      queryKey: layersKeys.file(sourceId, layer, path),
      queryFn: () => client.invoke('layers.readFile', { sourceId, layer, path }),
      staleTime: Infinity,
      gcTime: 60_000,
      retry: false,
    }),
  /**
   * Summary first, as for a dropped archive: `layers.summarizeImage` (main
   * asks the helper and keeps the change lists), painted, then
   * `layers.changes`. A refetch (a tag that may have moved) keeps showing the
   * previous analysis until the new one is complete.
   */
  analysis: (client: BerthClient, ref: string) =>
    queryOptions({
      queryKey: layersKeys.analysis(ref),
      queryFn: streamedQuery<StoreAnalysisPart, StoreAnalysis>({
        streamFn: async function* () {
          const summary = await client.invoke('layers.summarizeImage', { ref });
          yield { summary };
          yield {
            analysis: withChanges(summary, await client.invoke('layers.changes', { analysisId: summary.analysisId })),
          };
        },
        reducer: (acc, part) => ('summary' in part ? { summary: part.summary, analysis: null } : { ...acc, ...part }),
        initialValue: { summary: null, analysis: null },
        refetchMode: 'replace',
      }),
      staleTime: isImageId(ref) ? Infinity : 60_000,
      // Large results: keep at most a few minutes after the inspector closes.
      gcTime: 120_000,
    }),
};
