/**
 * Analysing an archive the user drops on the inspector WITHOUT loading it.
 * The analyser is Node code in main (run as the user, no helper, no store),
 * so main needs the bytes or a path it can read:
 *
 * 1. Electron: the preload exposes Electron's `webUtils.getPathForFile` as
 *    `window.berth.getPathForFile`; with a path, `layers.analyzeFile {path}`.
 * 2. Web mode (or a File with no path, e.g. built in the page): the bytes go
 *    to main with the same offset-checked chunk loop as a load
 *    (`../images/ingest.ts`), but to main's own uploads:
 *    `uploads.begin {size, name}` → `uploads.chunk {uploadId, offset, data}`…
 *    → `layers.analyzeUpload {uploadId}`, which consumes the upload (main
 *    removes the temp file after the analysis, whatever its outcome). Any
 *    failure before that aborts the upload.
 */
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { unpackAnalysis } from '../../../../preload/schemas/changes-wire';
import { bytePath, sendChunks, type Invoker } from '../images/ingest';
import type { ImageAnalysis } from './queries';

export interface AnalyzeClient {
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  putChunk?: Invoker['putChunk'];
}

export interface AnalyzeFileOptions {
  signal?: AbortSignal;
  onUpload?: (received: number, total: number) => void;
  /** Defaults to `window.berth?.getPathForFile` when the preload exposes it. */
  pathForFile?: ((file: File) => string) | null;
  encode?: (chunk: Blob) => Promise<string>;
  chunkBytes?: number;
}

export type AnalyzeRoute = 'path' | 'upload';

/** Electron's `webUtils.getPathForFile`, if the preload exposes it (an empty string: no path). */
export function electronPathForFile(): ((file: File) => string) | null {
  // globalThis: also runs under vitest, where there is no window.
  const berth = (globalThis as { window?: Window }).window?.berth;
  const get = berth?.getPathForFile;
  return get ? (f) => get.call(berth, f) : null;
}

async function analyzeUpload(client: AnalyzeClient, file: File, opts: AnalyzeFileOptions): Promise<ImageAnalysis> {
  const { uploadId } = await client.invoke('uploads.begin', { size: file.size, name: file.name.slice(0, 255) });
  try {
    await sendChunks(
      file,
      {
        send: (offset, data) => client.invoke('uploads.chunk', { uploadId, offset, data }),
        ...bytePath(client, 'uploads.chunk', uploadId),
        offsetCode: 'UPLOAD_OFFSET',
        receiver: 'main',
      },
      opts,
    );
  } catch (err) {
    await client.invoke('uploads.abort', { uploadId }).catch(() => undefined);
    throw err;
  }
  return unpackAnalysis(await client.invoke('layers.analyzeUpload', { uploadId }));
}

/** Which way a dropped file would be analysed here. */
export function analyzeRoute(file: File, pathForFile = electronPathForFile()): AnalyzeRoute {
  return pathForFile?.(file) ? 'path' : 'upload';
}

export async function analyzeDroppedFile(
  client: AnalyzeClient,
  file: File,
  opts: AnalyzeFileOptions = {},
): Promise<{ analysis: ImageAnalysis; route: AnalyzeRoute; path?: string }> {
  const pathFor = opts.pathForFile === undefined ? electronPathForFile() : opts.pathForFile;
  const path = pathFor?.(file);
  if (path)
    return { analysis: unpackAnalysis(await client.invoke('layers.analyzeFile', { path })), route: 'path', path };
  return { analysis: await analyzeUpload(client, file, opts), route: 'upload' };
}
