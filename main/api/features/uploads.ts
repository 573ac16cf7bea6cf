/**
 * Main-side uploads (uploads.begin/chunk/abort) and their one consumer,
 * `layers.analyzeUpload`: an archive dropped on the Layer inspector in web
 * mode, where the browser has bytes but no host path, is analysed in main
 * as the user without going near the helper or the store.
 */
import { packAnalysis } from '../../../preload/schemas/changes-wire';
import { analyzeImageArchive } from '../../engine/layers/analyze';
import type { MainHandlersFor } from '../router';
import { UploadStore } from './upload-store';

export type UploadMethods = 'uploads.begin' | 'uploads.chunk' | 'uploads.abort' | 'layers.analyzeUpload';

export function uploadsMainHandlers(uploads: UploadStore = new UploadStore()): MainHandlersFor<UploadMethods> {
  return {
    'uploads.begin': async (p) => uploads.begin(p.name === undefined ? { size: p.size } : p),
    'uploads.chunk': async (p) => uploads.chunk(p.uploadId, p.offset, Buffer.from(p.data, 'base64')),
    'uploads.abort': async (p) => {
      await uploads.abort(p.uploadId);
      return {};
    },
    'layers.analyzeUpload': async (p) =>
      packAnalysis(
        await uploads.consume(p.uploadId, (file) =>
          analyzeImageArchive(file, p.image === undefined ? {} : { image: p.image }),
        ),
      ),
  };
}
