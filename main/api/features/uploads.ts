/**
 * Main-side uploads (uploads.begin/chunk/abort) and their one consumer,
 * `layers.analyzeUpload`: an archive dropped on the Layer inspector in web
 * mode, where the browser has bytes but no host path, is analysed in main
 * as the user without going near the helper or the store. The archive's
 * plain layers are listed while it arrives (engine/layers/prelist.ts), on
 * a worker thread where the built one exists (engine/layers/upload-analysis*.ts).
 * A summarized upload's file is kept afterwards, owned by LayerSources, for
 * the inspector's file previews (layers.readFile), bounded there.
 */
import type { PackedChangesT } from '../../../preload/schemas/changes-wire';
import type { UploadAnalyser } from '../../engine/layers/upload-analysis';
import { uploadAnalyserFactory } from '../../engine/layers/upload-analysis-thread';
import type { MainHandlersFor } from '../router';
import { AnalysisCache } from './analysis-cache';
import { LayerSources } from './layer-sources';
import { UploadStore } from './upload-store';

export type UploadMethods =
  'uploads.begin' | 'uploads.chunk' | 'uploads.abort' | 'layers.analyzeUpload' | 'layers.summarizeUpload';

export function uploadsMainHandlers(
  uploads: UploadStore = new UploadStore(),
  analyses: AnalysisCache = new AnalysisCache(),
  /** One analyser per upload, made at begin (default: in-thread; createBackend gives the worker thread's). */
  analyser: (file: string, size: number) => UploadAnalyser = uploadAnalyserFactory(null),
  /** Where a summarized upload is kept for file previews (layers.readFile). */
  sources: LayerSources = new LayerSources(),
): MainHandlersFor<UploadMethods> {
  // Each upload is listed while it arrives; the analysis takes those listings.
  const prelisters = new Map<string, UploadAnalyser>();
  const analyse = (uploadId: string, image: string | number | undefined, keep?: (file: string) => void) =>
    uploads.consume(uploadId, async (_file, _name, keepFile) => {
      const a = prelisters.get(uploadId);
      if (!a) throw new Error(`upload ${uploadId} has no analysis`);
      const r = await a.analyse(image);
      // Kept for layers.readFile (file previews) once the analysis succeeded; removed otherwise.
      keep?.(keepFile());
      return r;
    });
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
      prelisters.set(id, analyser(file, size));
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
    'layers.analyzeUpload': async (p) => {
      const { summary, packed } = await analyse(p.uploadId, p.image);
      const lists = await packed;
      return { ...summary, layers: summary.layers.map((l, i) => ({ ...l, changes: lists[i] as PackedChangesT })) };
    },
    'layers.summarizeUpload': async (p) => {
      let kept = '';
      const { summary, packed } = await analyse(p.uploadId, p.image, (file) => (kept = file));
      const sourceId = await sources.addArchive(kept, {
        configDigest: summary.configDigest,
        owned: true,
        ...(p.image === undefined ? {} : { image: p.image }),
      });
      return { ...summary, analysisId: analyses.putPacked(packed), sourceId };
    },
  };
}
