/**
 * Main-side uploads (uploads.begin/chunk/abort) and their one consumer,
 * `layers.analyzeUpload`: an archive dropped on the Layer inspector in web
 * mode, where the browser has bytes but no host path, is analysed in main
 * as the user without going near the helper or the store. The archive's
 * plain layers are listed while it arrives (engine/layers/prelist.ts).
 */
import { packAnalysis } from '../../../preload/schemas/changes-wire';
import { analyzeImageArchive } from '../../engine/layers/analyze';
import { ArchivePrelister } from '../../engine/layers/prelist';
import type { MainHandlersFor } from '../router';
import { AnalysisCache, summarize } from './analysis-cache';
import { UploadStore } from './upload-store';

export type UploadMethods =
  'uploads.begin' | 'uploads.chunk' | 'uploads.abort' | 'layers.analyzeUpload' | 'layers.summarizeUpload';

export function uploadsMainHandlers(
  uploads: UploadStore = new UploadStore(),
  analyses: AnalysisCache = new AnalysisCache(),
): MainHandlersFor<UploadMethods> {
  // Each upload's plain layers are listed while it arrives (prelist.ts); the analysis takes those listings.
  const prelisters = new Map<string, ArchivePrelister>();
  const analyse = (uploadId: string, image: string | number | undefined) =>
    uploads.consume(uploadId, (file) =>
      analyzeImageArchive(file, {
        ...(image === undefined ? {} : { image }),
        prelisted: (member) => prelisters.get(uploadId)?.listing(member),
        premerged: async (members) => (await prelisters.get(uploadId)?.premerged(members)) ?? null,
      }),
    );
  return {
    'uploads.begin': async (p) => {
      const begun = await uploads.begin(p.name === undefined ? { size: p.size } : p);
      const id = begun.uploadId;
      const { file, size } = uploads.watch(id, {
        onData: (received) => prelisters.get(id)?.advance(received),
        onEnd: () => {
          void prelisters.get(id)?.close();
          prelisters.delete(id);
        },
      });
      prelisters.set(id, new ArchivePrelister(file, size));
      return begun;
    },
    'uploads.chunk': async (p) =>
      uploads.chunk(
        p.uploadId,
        p.offset,
        typeof p.data === 'string'
          ? Buffer.from(p.data, 'base64')
          : Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength),
      ),
    'uploads.abort': async (p) => {
      await uploads.abort(p.uploadId);
      return {};
    },
    'layers.analyzeUpload': async (p) => packAnalysis(await analyse(p.uploadId, p.image)),
    'layers.summarizeUpload': async (p) => summarize(analyses, await analyse(p.uploadId, p.image)),
  };
}
