/**
 * Main-side images methods. Main runs as the user: it opens the files the
 * user names with the user's permissions and moves the bytes through the
 * helper's ingest/export sessions, so the root helper never opens a path a
 * client chose. Layer analysis of a file needs neither the helper nor root.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { BerthError, isBerthError } from '../../../preload/errors';
import { packAnalysis, unpackAnalysis } from '../../../preload/schemas/changes-wire';
import { MAX_COMPARE_ROWS, type CompareSide, type ImageAnalysisT } from '../../../preload/schemas/images';
import { compareImages } from '../../engine/layers/compare';
import { analyzeImageArchive } from '../../engine/layers/analyze';
import { layerFileToWire, readLayerFile } from '../../engine/layers/file-read';
import type { MainHandlersFor, MainServices } from '../router';
import { AnalysisCache, summarize, summarizePacked } from './analysis-cache';
import { LayerSources } from './layer-sources';
import { uploadsMainHandlers, type UploadMethods } from './uploads';
import { UploadStore } from './upload-store';

type CompareSideT = z.output<typeof CompareSide>;

/** Upload and download chunk size. */
export const TRANSFER_CHUNK = 1024 * 1024;

export function imagesMainHandlers(
  s: MainServices,
  analyses: AnalysisCache = new AnalysisCache(),
  uploadAnalyser?: Parameters<typeof uploadsMainHandlers>[2],
  uploads: UploadStore = new UploadStore(),
  sources: LayerSources = new LayerSources(),
): MainHandlersFor<
  | 'images.load'
  | 'images.save'
  | 'layers.analyzeFile'
  | 'layers.summarizeFile'
  | 'layers.summarizeImage'
  | 'layers.changes'
  | 'layers.readFile'
  | 'layers.compare'
  | UploadMethods
> {
  const progress = (
    opId: string,
    phase: 'upload' | 'export' | 'error' | 'done',
    current: number,
    total: number,
    message?: string,
  ): void => {
    s.hub.emit(
      'images.progress',
      message === undefined ? { opId, phase, current, total } : { opId, phase, current, total, message },
    );
  };

  /** One side of a comparison: its name and its change lists as objects (analysed again: lists are not kept). */
  const side = async (
    p: CompareSideT,
  ): Promise<{ name: string; a: ReturnType<typeof unpackAnalysis<ImageAnalysisT>> }> => {
    if ('ref' in p) {
      const a = unpackAnalysis(await s.helper.call('layers.analyzeImage', { ref: p.ref }));
      return { name: a.repoTags[0] ?? p.ref, a };
    }
    const source = await sources.get(p.sourceId);
    if (source.kind === 'image') {
      try {
        const a = unpackAnalysis(await s.helper.call('layers.analyzeImage', { ref: source.ref }));
        return { name: a.repoTags[0] ?? source.ref, a };
      } catch (err) {
        if (!isBerthError(err, 'IMAGE_NOT_FOUND')) throw err;
        await sources.release(p.sourceId);
        throw new BerthError('LAYER_SOURCE_GONE', 'the image was removed from the store; analyse another', {
          sourceId: p.sourceId,
        });
      }
    }
    await sources.layersOf(p.sourceId); // the archive is still the one analysed
    const a = unpackAnalysis(
      packAnalysis(await analyzeImageArchive(source.file, source.image === undefined ? {} : { image: source.image })),
    );
    return { name: a.repoTags[0] ?? (source.owned ? 'the dropped archive' : path.basename(source.file)), a };
  };

  return {
    // Dropped archives analysed without a host path (web mode) arrive through uploads.*.
    ...uploadsMainHandlers(uploads, analyses, uploadAnalyser, sources),
    'images.load': async (p) => {
      const file = path.resolve(p.path);
      const opId = p.opId ?? crypto.randomUUID();
      const fh = await fs.promises.open(file, 'r');
      let ingestId: string | undefined;
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new BerthError('NOT_A_FILE', `${file} is not a regular file`, { path: file });
        ingestId = (await s.helper.call('images.ingest.begin', { size: st.size, opId })).ingestId;
        const buf = Buffer.alloc(TRANSFER_CHUNK);
        let offset = 0;
        progress(opId, 'upload', 0, st.size, file);
        while (offset < st.size) {
          const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, st.size - offset), offset);
          if (bytesRead === 0) {
            throw new BerthError('FILE_CHANGED', `${file} shrank while it was read`, { path: file, offset });
          }
          await s.helper.call('images.ingest.chunk', {
            ingestId,
            offset,
            data: buf.subarray(0, bytesRead).toString('base64'),
          });
          offset += bytesRead;
          progress(opId, 'upload', offset, st.size);
        }
        const id = ingestId;
        ingestId = undefined; // commit consumes the ingest, whatever its outcome
        return await s.helper.call('images.ingest.commit', { ingestId: id });
      } catch (err) {
        if (ingestId !== undefined) {
          await s.helper.call('images.ingest.abort', { ingestId }).catch(() => undefined);
          progress(opId, 'error', 0, 0, err instanceof Error ? err.message : String(err));
        }
        throw err;
      } finally {
        await fh.close();
      }
    },

    'images.save': async (p) => {
      const file = path.resolve(p.path);
      const opId = p.opId ?? crypto.randomUUID();
      const begun = await s.helper.call('images.export.begin', { refs: p.refs });
      const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
      let fh: fs.promises.FileHandle | undefined;
      let done = false;
      try {
        fh = await fs.promises.open(tmp, 'wx', 0o644);
        let offset = 0;
        progress(opId, 'export', 0, begun.size, file);
        for (;;) {
          const r = await s.helper.call('images.export.read', {
            exportId: begun.exportId,
            offset,
            length: TRANSFER_CHUNK,
          });
          const data = Buffer.from(r.data, 'base64');
          let w = 0;
          while (w < data.length) w += (await fh.write(data, w, data.length - w, offset + w)).bytesWritten;
          offset += data.length;
          progress(opId, 'export', offset, begun.size);
          if (r.eof) break;
        }
        done = true;
        if (offset !== begun.size) {
          throw new BerthError('EXPORT_SIZE', `export ended at ${offset} bytes, ${begun.size} were announced`, {
            size: begun.size,
            received: offset,
          });
        }
        await fh.sync();
        await fh.close();
        fh = undefined;
        await fs.promises.rename(tmp, file);
        progress(opId, 'done', offset, begun.size, file);
        return { path: file, size: offset, images: begun.images };
      } catch (err) {
        if (!done) await s.helper.call('images.export.abort', { exportId: begun.exportId }).catch(() => undefined);
        await fh?.close().catch(() => undefined);
        await fs.promises.rm(tmp, { force: true });
        progress(opId, 'error', 0, 0, err instanceof Error ? err.message : String(err));
        throw err;
      }
    },

    'layers.analyzeFile': async (p) =>
      packAnalysis(await analyzeImageArchive(path.resolve(p.path), p.image === undefined ? {} : { image: p.image })),
    'layers.summarizeFile': async (p) => {
      const file = path.resolve(p.path);
      const a = await analyzeImageArchive(file, p.image === undefined ? {} : { image: p.image });
      const sourceId = await sources.addArchive(file, {
        configDigest: a.configDigest,
        owned: false,
        ...(p.image === undefined ? {} : { image: p.image }),
      });
      return { ...summarize(analyses, a), sourceId };
    },
    // The helper analyses a store image (it reads the blobs); main keeps the packed lists for layers.changes.
    'layers.summarizeImage': async (p) => {
      const a = await s.helper.call('layers.analyzeImage', { ref: p.ref });
      // By manifest digest: what the analysis read, whatever the tag names later.
      const sourceId = await sources.addImage(a.manifestDigest ?? a.configDigest);
      return { ...summarizePacked(analyses, a), sourceId };
    },
    'layers.changes': async (p) => analyses.take(p.analysisId),
    // The engine code `berth layers --compare` uses, on both sides' final trees.
    'layers.compare': async (p) => {
      const [from, to] = [await side(p.from), await side(p.to)];
      const c = compareImages(from.a.layers, to.a.layers);
      const rows = <T extends { path: string }>(l: T[]): T[] =>
        l.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)).slice(0, MAX_COMPARE_ROWS);
      return {
        from: { name: from.name, configDigest: from.a.configDigest },
        to: { name: to.name, configDigest: to.a.configDigest },
        added: rows(c.added),
        changed: rows(c.changed),
        removed: rows(c.removed),
        counts: { added: c.added.length, changed: c.changed.length, removed: c.removed.length },
        filesBytes: c.filesBytes,
        sizeBytes: { from: from.a.sizeBytes, to: to.a.sizeBytes, delta: to.a.sizeBytes - from.a.sizeBytes },
      };
    },
    'layers.readFile': async (p) => {
      const source = await sources.get(p.sourceId);
      const opts = p.maxBytes === undefined ? {} : { maxBytes: p.maxBytes };
      if (source.kind === 'image') {
        try {
          return await s.helper.call('layers.readImageFile', {
            ref: source.ref,
            layer: p.layer,
            path: p.path,
            ...opts,
          });
        } catch (err) {
          if (!isBerthError(err, 'IMAGE_NOT_FOUND')) throw err;
          await sources.release(p.sourceId);
          throw new BerthError('LAYER_SOURCE_GONE', 'the image was removed from the store; analyse another', {
            sourceId: p.sourceId,
          });
        }
      }
      return layerFileToWire(await readLayerFile(await sources.layersOf(p.sourceId), p.layer, p.path, opts));
    },
  };
}
