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
 *    → `layers.summarizeUpload {uploadId}`, which consumes the upload (main
 *    removes the temp file after the analysis, whatever its outcome). Any
 *    failure before that aborts the upload.
 *
 * Summary first: both ways ask for the summary (`layers.summarizeFile` /
 * `layers.summarizeUpload`: everything but the change lists, small), hand it
 * to `onSummary` so the page paints it, then fetch the packed change lists
 * (`layers.changes {analysisId}`) and decode them (changes-wire.ts).
 */
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';
import { decodeChanges } from '../../../../preload/schemas/changes-wire';
import { uploadToMain, type Invoker } from '../images/ingest';
import type { AnalysisSummary, ImageAnalysis } from './queries';

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
  /** The analysis without its change lists, as soon as main has it (before they are fetched). */
  onSummary?: (summary: AnalysisSummary) => void;
}

export type AnalyzeRoute = 'path' | 'upload';

/** Electron's `webUtils.getPathForFile`, if the preload exposes it (an empty string: no path). */
export function electronPathForFile(): ((file: File) => string) | null {
  // globalThis: also runs under vitest, where there is no window.
  const berth = (globalThis as { window?: Window }).window?.berth;
  const get = berth?.getPathForFile;
  return get ? (f) => get.call(berth, f) : null;
}

async function summarizeUpload(client: AnalyzeClient, file: File, opts: AnalyzeFileOptions): Promise<AnalysisSummary> {
  const uploadId = await uploadToMain(client, file, file.name, opts);
  return client.invoke('layers.summarizeUpload', { uploadId });
}

/** Which way a dropped file would be analysed here. */
export function analyzeRoute(file: File, pathForFile = electronPathForFile()): AnalyzeRoute {
  return pathForFile?.(file) ? 'path' : 'upload';
}

export async function analyzeDroppedFile(
  client: AnalyzeClient,
  file: File,
  opts: AnalyzeFileOptions = {},
): Promise<{ analysis: ImageAnalysis; route: AnalyzeRoute; path?: string; sourceId: string }> {
  const pathFor = opts.pathForFile === undefined ? electronPathForFile() : opts.pathForFile;
  const path = pathFor?.(file);
  const summary = path
    ? await client.invoke('layers.summarizeFile', { path })
    : await summarizeUpload(client, file, opts);
  opts.onSummary?.(summary);
  const analysis = withChanges(summary, await client.invoke('layers.changes', { analysisId: summary.analysisId }));
  const { sourceId } = summary;
  return path ? { analysis, route: 'path', path, sourceId } : { analysis, route: 'upload', sourceId };
}

/** The summary with its layers' change lists decoded (CHANGES_MALFORMED when they do not fit it). */
export function withChanges(summary: AnalysisSummary, got: Result<'layers.changes'>): ImageAnalysis {
  if (got.layers.length !== summary.layers.length) {
    throw new BerthError(
      'CHANGES_MALFORMED',
      `malformed change lists: ${got.layers.length} for an analysis of ${summary.layers.length} layers`,
    );
  }
  const { analysisId: _, ...rest } = summary;
  return { ...rest, layers: summary.layers.map((l, i) => ({ ...l, changes: decodeChanges(got.layers[i], i) })) };
}
