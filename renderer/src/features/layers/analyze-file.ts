/**
 * Analysing an archive the user drops on the inspector WITHOUT loading it.
 * The analyser is Node code in main (`layers.analyzeFile {path}`, run as the
 * user, no helper), so main must be able to read the file:
 *
 * 1. Electron: the dropped File's path, if the preload exposes Electron's
 *    `webUtils.getPathForFile` as `window.berth.getPathForFile` (it does not
 *    yet: proposed), then `layers.analyzeFile {path}`.
 * 2. Web mode (and Electron until 1. exists): the browser has no path to
 *    give, so the bytes go to main: PROPOSED main-side methods, not yet in
 *    the contract —
 *
 *      'uploads.begin'         where: 'main'
 *          params { size: int ≥ 0, name?: string ≤ 255 }          → { uploadId: TransferId }
 *      'uploads.chunk'         where: 'main'
 *          params { uploadId, offset: int ≥ 0, data: Base64Chunk } → { received: int }
 *          (UPLOAD_OFFSET with details.expected unless offset = bytes received;
 *           UPLOAD_TOO_LARGE past the announced size)
 *      'uploads.abort'         where: 'main'   params { uploadId } → {}
 *      'layers.analyzeUpload'  where: 'main'
 *          params { uploadId, image?: string ≤ 512 | int ≥ 0 }      → ImageAnalysis
 *          (UPLOAD_INCOMPLETE unless every announced byte arrived; the
 *           temp file is removed after the analysis, whatever its outcome)
 *
 *    Main keeps uploads as 0600 files in a private temp dir, owned by the
 *    connection (web socket / webContents) that began them, swept after 10
 *    minutes without a chunk, and refuses more than a few at once.
 *    Until these exist the server answers METHOD_NOT_FOUND, which the
 *    inspector shows as is.
 */
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';
import { blobToBase64, INGEST_CHUNK_BYTES } from '../images/ingest';
import type { ImageAnalysis } from './queries';

export interface AnalyzeClient {
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
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
  const berth = (globalThis as { window?: { berth?: unknown } }).window?.berth as
    { getPathForFile?: (f: File) => string } | undefined;
  return typeof berth?.getPathForFile === 'function' ? (f) => berth.getPathForFile!(f) : null;
}

/** Calls a method the contract does not declare yet (see the proposal above). */
type UntypedInvoke = (method: string, params: unknown) => Promise<unknown>;

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null) throw new BerthError('BAD_RESULT', `${what}: expected an object`);
  return v as Record<string, unknown>;
}

async function analyzeUpload(client: AnalyzeClient, file: File, opts: AnalyzeFileOptions): Promise<ImageAnalysis> {
  const call = client.invoke as unknown as UntypedInvoke;
  const invoke = (method: string, params: unknown): Promise<unknown> => call.call(client, method, params);
  const encode = opts.encode ?? blobToBase64;
  const chunkBytes = opts.chunkBytes ?? INGEST_CHUNK_BYTES;
  const begun = record(
    await invoke('uploads.begin', { size: file.size, name: file.name.slice(0, 255) }),
    'uploads.begin',
  );
  const uploadId = String(begun.uploadId);
  let offset = 0;
  try {
    opts.onUpload?.(0, file.size);
    while (offset < file.size) {
      if (opts.signal?.aborted) throw new BerthError('CANCELLED', 'the upload was cancelled');
      const chunk = file.slice(offset, Math.min(file.size, offset + chunkBytes));
      const r = record(await invoke('uploads.chunk', { uploadId, offset, data: await encode(chunk) }), 'uploads.chunk');
      if (r.received !== offset + chunk.size) {
        throw new BerthError('UPLOAD_OFFSET', `main holds ${String(r.received)} bytes after a chunk at ${offset}`, {
          expected: offset + chunk.size,
          received: r.received,
        });
      }
      offset += chunk.size;
      opts.onUpload?.(offset, file.size);
    }
  } catch (err) {
    await invoke('uploads.abort', { uploadId }).catch(() => undefined);
    throw err;
  }
  return (await invoke('layers.analyzeUpload', { uploadId })) as ImageAnalysis;
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
  if (path) return { analysis: await client.invoke('layers.analyzeFile', { path }), route: 'path', path };
  return { analysis: await analyzeUpload(client, file, opts), route: 'upload' };
}
