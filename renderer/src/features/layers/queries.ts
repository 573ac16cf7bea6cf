/**
 * Layer inspector keys and queries. An analysis of an image ID never
 * changes (the ID is the config digest), so it is never stale; one of a tag
 * is invalidated when the store changes (the tag may have moved).
 */
import { queryOptions } from '@tanstack/react-query';
import { unpackAnalysis } from '../../../../preload/schemas/changes-wire';
import type { AnalysisSummaryT, UnpackedImageAnalysisT } from '../../../../preload/schemas/images';
import type { BerthClient } from '../../app/client';
import { isImageId, layersKeys } from './keys';

/** An analysis as the inspector uses it: the wire's packed change lists decoded to objects (`unpackAnalysis`). */
export type ImageAnalysis = UnpackedImageAnalysisT;
/** What main answers first for a dropped archive: the analysis without change lists (`layers.summarize*`). */
export type AnalysisSummary = AnalysisSummaryT;
/** One layer as the summary and the layer table need it (no change list). */
export type LayerAnalysis = AnalysisSummary['layers'][number];
/** What the inspector shows while the change lists are on their way: the analysis without them. */
export type AnalysisView = Omit<ImageAnalysis, 'layers'> & { layers: readonly LayerAnalysis[] };

export const layersQueries = {
  analysis: (client: BerthClient, ref: string) =>
    queryOptions({
      queryKey: layersKeys.analysis(ref),
      queryFn: async () => unpackAnalysis(await client.invoke('layers.analyzeImage', { ref })),
      staleTime: isImageId(ref) ? Infinity : 60_000,
      // Large results: keep at most a few minutes after the inspector closes.
      gcTime: 120_000,
    }),
};
