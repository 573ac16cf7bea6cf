/**
 * What the registry client needs from the image store. The store
 * (engine/images/store/) implements these; they are declared here, with the
 * exact shapes agreed with it, so the client builds on its own.
 */

/** Where pulled blobs land. */
export interface BlobSink {
  has(digest: string): Promise<boolean>;
  /** A stable file for that digest: an interrupted download resumes by appending to it. */
  partialPath(digest: string): string;
  /** Verifies digest (+ size when given) of the partial file and moves it into the store. */
  commit(digest: string, partialPath: string, expectedSize?: number): Promise<void>;
  /** NO_SPACE when `bytes` more would leave the store's filesystem under its free-space margin. */
  reserve?(bytes: number, what: string): void;
}

/** Where pushed blobs come from. */
export interface BlobSource {
  size(digest: string): Promise<number>;
  open(digest: string): NodeJS.ReadableStream;
}

export type BlobPhase = 'downloading' | 'uploading' | 'verifying' | 'done' | 'exists' | 'mounted';

/** Progress of one blob transfer; `current`/`total` in bytes. */
export interface BlobProgress {
  phase: BlobPhase;
  current: number;
  total: number;
}

export type BlobProgressFn = (p: BlobProgress) => void;
