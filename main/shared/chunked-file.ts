/**
 * The append step both chunked uploads share (the helper's image ingest and
 * main's uploads for the layer inspector): a chunk is taken only at the
 * offset already received and only within the announced size, then written
 * whole at that offset. Callers hold their session's lock around it.
 */
import type fs from 'node:fs';
import { BerthError } from '../../preload/errors';
import { Mutex } from './mutex';

export interface ChunkedFile {
  fh: fs.promises.FileHandle;
  /** Bytes written so far; the only offset the next chunk may start at. */
  received: number;
  /** The announced total, or undefined when none was announced. */
  size: number | undefined;
}

/** A chunked file as its session keeps it (main's uploads, the helper's ingests). */
export interface ChunkSession extends ChunkedFile {
  id: string;
  file: string;
  lastActivity: number;
  /** Being consumed: no more chunks, no abort. */
  busy: boolean;
  /** Held around each chunk and around consuming the file. */
  lock: Mutex;
}

/** A session for a file just opened: nothing received, not busy, its own lock. */
export function newChunkSession<S extends number | undefined>(
  id: string,
  file: string,
  fh: fs.promises.FileHandle,
  size: S,
): ChunkSession & { size: S } {
  return { id, file, fh, size, received: 0, lastActivity: Date.now(), busy: false, lock: new Mutex() };
}

/** Refuses a chunk larger than `max` bytes (CHUNK_TOO_LARGE) before any lookup. */
export function checkChunkLength(data: Buffer, max: number): void {
  if (data.length > max) {
    throw new BerthError('CHUNK_TOO_LARGE', `a chunk carries at most ${max} bytes, got ${data.length}`, {
      max,
      size: data.length,
    });
  }
}

/**
 * Writes `data` at `offset` and returns the new received count. `prefix`
 * names the error codes: `<prefix>_OFFSET` for a chunk not at the end,
 * `<prefix>_TOO_LARGE` for one past the announced size.
 */
export async function appendChunk(
  f: ChunkedFile,
  offset: number,
  data: Buffer,
  prefix: 'UPLOAD' | 'INGEST',
): Promise<number> {
  if (offset !== f.received) {
    throw new BerthError(`${prefix}_OFFSET`, `chunk at offset ${offset}, expected ${f.received}`, {
      expected: f.received,
      offset,
    });
  }
  if (f.size !== undefined && f.received + data.length > f.size) {
    throw new BerthError(`${prefix}_TOO_LARGE`, `upload exceeds the announced ${f.size} bytes`, {
      size: f.size,
      received: f.received + data.length,
    });
  }
  let done = 0;
  while (done < data.length) {
    const n = (await f.fh.write(data, done, data.length - done, f.received + done)).bytesWritten;
    // A write that makes no progress would loop forever: a full disk.
    if (n <= 0)
      throw new BerthError('ENOSPC', `no space left after ${f.received + done} bytes`, { offset: f.received + done });
    done += n;
  }
  f.received += data.length;
  return f.received;
}
