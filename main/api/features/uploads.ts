/**
 * Main-side uploads (uploads.begin/chunk/abort) and their one consumer,
 * `layers.analyzeUpload`: an archive dropped on the Layer inspector in web
 * mode, where the browser has bytes but no host path, is analysed in main
 * as the user without going near the helper or the store.
 */
import { packAnalysis } from '../../../preload/schemas/changes-wire';
import { analyzeImageArchive } from '../../engine/layers/analyze';
import type { MainHandlersFor } from '../router';
import { AnalysisCache, summarize } from './analysis-cache';
import { UploadStore } from './upload-store';

export type UploadMethods =
  'uploads.begin' | 'uploads.chunk' | 'uploads.abort' | 'layers.analyzeUpload' | 'layers.summarizeUpload';

export function uploadsMainHandlers(
  uploads: UploadStore = new UploadStore(),
  analyses: AnalysisCache = new AnalysisCache(),
): MainHandlersFor<UploadMethods> {
  const analyse = (uploadId: string, image: string | number | undefined) =>
    uploads.consume(uploadId, (file) => analyzeImageArchive(file, image === undefined ? {} : { image }));
  return {
    'uploads.begin': async (p) => uploads.begin(p.name === undefined ? { size: p.size } : p),
    'uploads.chunk': async (p) => uploads.chunk(p.uploadId, p.offset, Buffer.from(p.data, 'base64')),
    'uploads.abort': async (p) => {
      await uploads.abort(p.uploadId);
      return {};
    },
    'layers.analyzeUpload': async (p) => packAnalysis(await analyse(p.uploadId, p.image)),
    'layers.summarizeUpload': async (p) => summarize(analyses, await analyse(p.uploadId, p.image)),
  };
}
