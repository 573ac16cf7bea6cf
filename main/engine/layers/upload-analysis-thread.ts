/**
 * An upload's analysis on its own worker thread (`upload-analysis-worker.ts`,
 * built as out/main/analysis-worker.js), so main's event loop only receives
 * and writes the bytes while the listing, merging and packing run on
 * another core, overlapping the upload. Same interface as the in-thread
 * `UploadAnalysis`, which the worker runs.
 *
 * The worker is unref'd (it never keeps a process alive) and terminated
 * once `close` has been answered, i.e. after anything asked of it was
 * answered; if it dies, what is pending rejects.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PackedChangesT } from '../../../preload/schemas/changes-wire';
import { UploadAnalysis, type PackedUploadAnalysis, type UploadAnalyser } from './upload-analysis';
import { errorFromThread, type FromAnalysisWorker, type ToAnalysisWorker } from './upload-analysis-wire';

/** The bundle's file name (electron.vite.config.ts, main input `analysis-worker`). */
export const ANALYSIS_WORKER_FILE = 'analysis-worker.js';

/**
 * The built worker next to this bundle or one of its chunks (out/main), or
 * null: run from the TypeScript sources (vitest) there is no bundle to
 * start, and the analysis runs in-thread.
 */
export function analysisWorkerPath(here: string = path.dirname(fileURLToPath(import.meta.url))): string | null {
  const candidates = [path.join(here, ANALYSIS_WORKER_FILE), path.join(here, '..', ANALYSIS_WORKER_FILE)];
  return candidates.find((c) => existsSync(c)) ?? null;
}

/** Makes the analyser for one upload: on a worker thread when `workerPath` is given, else in-thread. */
export function uploadAnalyserFactory(workerPath: string | null): (file: string, size: number) => UploadAnalyser {
  return workerPath
    ? (file, size) => new UploadAnalysisThread(workerPath, file, size)
    : (file, size) => new UploadAnalysis(file, size);
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (err: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class UploadAnalysisThread implements UploadAnalyser {
  private readonly worker: Worker;
  private summary: Deferred<PackedUploadAnalysis['summary']> | undefined;
  private packed: Deferred<PackedChangesT[]> | undefined;
  private readonly closed = deferred<void>();
  private closing = false;
  private gone = false;

  constructor(workerPath: string, file: string, size: number) {
    this.worker = new Worker(workerPath, { workerData: { file, size } });
    this.worker.unref();
    this.worker.on('message', (m: FromAnalysisWorker) => this.receive(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => this.fail(new Error('the analysis thread exited')));
  }

  advance(received: number): void {
    this.send({ type: 'advance', received });
  }

  analyse(image?: string | number): Promise<PackedUploadAnalysis> {
    if (this.summary) return Promise.reject(new Error('an upload is analysed once'));
    if (this.closing || this.gone) return Promise.reject(new Error('the analysis thread is closed'));
    this.summary = deferred();
    this.packed = deferred();
    this.packed.promise.catch(() => undefined); // rejected with the summary when that fails
    this.send(image === undefined ? { type: 'analyse' } : { type: 'analyse', image });
    const packed = this.packed.promise;
    return this.summary.promise.then((summary) => ({ summary, packed }));
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      if (this.gone) this.closed.resolve();
      else this.send({ type: 'close' });
    }
    return this.closed.promise;
  }

  private send(m: ToAnalysisWorker): void {
    if (!this.gone) this.worker.postMessage(m);
  }

  private receive(m: FromAnalysisWorker): void {
    switch (m.type) {
      case 'summary':
        this.summary?.resolve(m.summary);
        break;
      case 'packed':
        this.packed?.resolve(m.packed);
        break;
      case 'failed': {
        const err = errorFromThread(m.error);
        if (m.stage === 'summary') this.summary?.reject(err);
        this.packed?.reject(err);
        break;
      }
      case 'closed':
        this.gone = true;
        void this.worker.terminate().finally(() => this.closed.resolve());
        break;
    }
  }

  /** The thread failed or exited: whatever is pending rejects (settled promises ignore it). */
  private fail(err: Error): void {
    this.gone = true;
    this.summary?.reject(err);
    this.packed?.reject(err);
    this.closed.resolve();
  }
}
