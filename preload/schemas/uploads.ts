/**
 * Main-side uploads: a file the renderer holds (web mode has no host path
 * for it) streamed to Berth's main process, which runs as the user and keeps
 * it in a private temp dir only until one operation consumes it. The chunk
 * protocol is the helper ingest's (`images.ingest.*`): sequential base64
 * chunks of ≤ 4 MiB, each at exactly the offset received so far.
 *
 *   uploads.begin {size, name?}            → {uploadId}
 *   uploads.chunk {uploadId, offset, data} → {received}   (UPLOAD_OFFSET, UPLOAD_TOO_LARGE)
 *   uploads.abort {uploadId}               → {}
 *   layers.analyzeUpload {uploadId, image?} → ImageAnalysis (UPLOAD_INCOMPLETE; consumes the upload)
 *   layers.summarizeUpload {uploadId, image?} → AnalysisSummary (the same, changes kept for layers.changes)
 *
 * Kept free of Node imports: the renderer imports these schemas.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { Empty } from './system';
import { AnalysisSummary, Base64Chunk, ImageAnalysis, MAX_CHUNK_BYTES, TransferId } from './images';

/** Largest upload main accepts: 8 GiB (a big image archive, not unbounded disk use). */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024;

/**
 * A chunk's bytes: base64 in a message, or the bytes themselves when main's
 * own chunk PUT (main/ipc/web-chunks.ts) calls in-process; no message
 * decodes to a Uint8Array, so only that caller can pass one.
 */
const UploadChunkData = lazy(() =>
  z.union([
    Base64Chunk,
    z.instanceof(Uint8Array).refine((b) => b.length <= MAX_CHUNK_BYTES, 'a chunk carries at most 4 MiB'),
  ]),
);

export const uploadsMethods = {
  'uploads.begin': method({
    where: 'main',
    params: lazy(() =>
      z
        .object({
          size: z.number().int().nonnegative().max(MAX_UPLOAD_BYTES, 'an upload is at most 8 GiB'),
          /** The file's name, for messages only (never a path on the host). */
          name: z.string().max(255).optional(),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ uploadId: TransferId })),
    summary: "Start uploading a file of `size` bytes to main's private temp dir",
  }),
  'uploads.chunk': method({
    where: 'main',
    params: lazy(() =>
      z.object({ uploadId: TransferId, offset: z.number().int().nonnegative(), data: UploadChunkData }).strict(),
    ),
    result: lazy(() => z.object({ received: z.number().int() })),
    summary: 'Append ≤ 4 MiB (base64, or bytes in-process) at the current end of an upload (UPLOAD_OFFSET otherwise)',
  }),
  'uploads.abort': method({
    where: 'main',
    params: lazy(() => z.object({ uploadId: TransferId }).strict()),
    result: Empty,
    summary: 'Drop an upload and its temp file',
  }),
  'layers.analyzeUpload': method({
    where: 'main',
    params: lazy(() =>
      z
        .object({
          uploadId: TransferId,
          image: z.union([z.string().max(512), z.number().int().nonnegative()]).optional(),
        })
        .strict(),
    ),
    result: ImageAnalysis,
    summary: 'dive-like analysis of an uploaded image archive, without loading it (the upload is consumed)',
  }),
  'layers.summarizeUpload': method({
    where: 'main',
    params: lazy(() =>
      z
        .object({
          uploadId: TransferId,
          image: z.union([z.string().max(512), z.number().int().nonnegative()]).optional(),
        })
        .strict(),
    ),
    result: AnalysisSummary,
    summary: 'layers.analyzeUpload without the change lists, kept in main for layers.changes (summary first)',
  }),
} as const;

/** Error codes of main-side uploads (the chunk protocol's, with the UPLOAD_ prefix). */
export const uploadErrorCodes = [
  'UPLOAD_NOT_FOUND',
  'UPLOAD_BUSY', // another chunk of the same upload is being written
  'UPLOAD_OFFSET', // a chunk not at the offset received so far
  'UPLOAD_TOO_LARGE', // past the announced size
  'UPLOAD_INCOMPLETE', // consumed before all announced bytes arrived
  'TOO_MANY_UPLOADS',
] as const;
