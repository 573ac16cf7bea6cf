/**
 * Messages between main and an upload's analysis thread
 * (`upload-analysis-worker.ts`, `upload-analysis-thread.ts`). They cross by
 * structured clone inside one process, so only errors need a form of their
 * own: a BerthError keeps its code and details, anything else its message.
 */
import type { PackedChangesT } from '../../../preload/schemas/changes-wire';
import { BerthError } from '../../../preload/berth-error';
import type { ErrorShape } from '../../../preload/errors';
import type { AnalysisSummaryPart } from './upload-analysis';

export type ToAnalysisWorker =
  { type: 'advance'; received: number } | { type: 'analyse'; image?: string | number } | { type: 'close' };

export type ThreadError = { berth: ErrorShape } | { message: string };

export type FromAnalysisWorker =
  | { type: 'summary'; summary: AnalysisSummaryPart }
  | { type: 'packed'; packed: PackedChangesT[] }
  | { type: 'failed'; stage: 'summary' | 'packed'; error: ThreadError }
  | { type: 'closed' };

export function errorForThread(err: unknown): ThreadError {
  if (err instanceof BerthError) return { berth: err.toJSON() };
  return { message: err instanceof Error ? err.message : String(err) };
}

export function errorFromThread(e: ThreadError): Error {
  return 'berth' in e ? BerthError.from(e.berth) : new Error(e.message);
}
