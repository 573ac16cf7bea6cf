/**
 * Streaming a File the browser holds to the helper: `images.ingest.begin`
 * (announcing the size and our opId, so `images.progress` events of the
 * commit carry it), then 1 MiB chunks at consecutive offsets (a few in
 * flight), each answer checked against the offset the helper says it has
 * received, then `commit`, which
 * verifies and loads the archive (all images or none). Works the same over
 * Electron IPC and the web-mode WebSocket: no path crosses, only bytes.
 *
 * Kept free of React and the DOM beyond Blob, so it runs under vitest.
 */
import { MAX_PUT_CHUNK_BYTES, type ChunkMethod } from '../../../../preload/api';
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError, type ErrorCode } from '../../../../preload/errors';

/** 1 MiB: well under the contract's 4 MiB chunk limit and the 16 MiB WebSocket frame. */
export const INGEST_CHUNK_BYTES = 1024 * 1024;

export interface Invoker {
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** The transport's byte path for chunks, where it has one (web mode; BerthClient.putChunk). */
  putChunk?(method: ChunkMethod, id: string, offset: number, data: Blob): Promise<{ received: number }>;
}

/** Chunk size on a byte path: each PUT is a request, so fewer and larger (main's limit). */
export const PUT_CHUNK_BYTES = MAX_PUT_CHUNK_BYTES;

export type LoadResult = Result<'images.ingest.commit'>;

export interface IngestOptions {
  opId: string;
  chunkBytes?: number;
  signal?: AbortSignal;
  /** Called after every acknowledged chunk with the bytes the helper holds. */
  onUpload?: (received: number, total: number) => void;
  /** Called once every byte is up, before the helper verifies and unpacks. */
  onCommit?: () => void;
  encode?: (chunk: Blob) => Promise<string>;
}

/** base64 of bytes without a data: URL round trip (the fallback outside the browser). */
export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const STEP = 0x8000;
  for (let i = 0; i < bytes.length; i += STEP) {
    bin += String.fromCharCode(...bytes.subarray(i, i + STEP));
  }
  return btoa(bin);
}

/** base64 of a Blob: the browser's own encoder (FileReader) where there is one. */
export function blobToBase64(blob: Blob): Promise<string> {
  if (typeof FileReader === 'undefined') {
    return blob.arrayBuffer().then((b) => bytesToBase64(new Uint8Array(b)));
  }
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(r.error ?? new Error('FileReader failed'));
    r.onload = () => {
      const url = String(r.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    r.readAsDataURL(blob);
  });
}

function cancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BerthError('CANCELLED', 'the upload was cancelled');
}

export interface ChunkSender {
  /** Sends one chunk; answers with the bytes the receiver holds afterwards. */
  send(offset: number, data: string): Promise<{ received: number }>;
  /**
   * Sends one chunk as raw bytes (web mode's PUT), used instead of send when
   * present: PUT_CHUNK_BYTES a chunk, one at a time (requests keep no order).
   */
  sendBytes?: (offset: number, data: Blob) => Promise<{ received: number }>;
  /** The error code for a receiver that holds something else than offset + chunk. */
  offsetCode: ErrorCode;
  /** Who receives, for the message ("the helper", "main"). */
  receiver: string;
}

/** The sender's byte path for one upload, where the client has one (web mode). */
export function bytePath(
  client: Pick<Invoker, 'putChunk'>,
  method: ChunkMethod,
  id: string,
): Pick<ChunkSender, 'sendBytes'> {
  const put = client.putChunk?.bind(client);
  return put ? { sendBytes: (offset, data) => put(method, id, offset, data) } : {};
}

/**
 * Chunks kept in flight: the next one is read and encoded while the receiver
 * decodes and writes the previous ones (one at a time took ~70 ms a MiB in
 * main alone, with the browser idle meanwhile). Both receivers take chunks
 * in arrival order under a FIFO lock, and both transports keep the order.
 */
export const CHUNKS_IN_FLIGHT = 3;

/**
 * The chunk loop both upload protocols share (helper ingest, main uploads):
 * chunks at consecutive offsets, up to CHUNKS_IN_FLIGHT unanswered, each
 * answer checked to be exactly the end of its chunk. The first failure ends
 * the loop (the caller aborts the upload; a chunk sent after it is refused
 * by offset or by the abort, never stored out of place).
 */
export async function sendChunks(
  file: Blob,
  sender: ChunkSender,
  opts: Pick<IngestOptions, 'chunkBytes' | 'signal' | 'onUpload' | 'encode'> & { inFlight?: number },
): Promise<void> {
  const { sendBytes } = sender;
  const chunkBytes = opts.chunkBytes ?? (sendBytes ? PUT_CHUNK_BYTES : INGEST_CHUNK_BYTES);
  const encode = opts.encode ?? blobToBase64;
  const depth = sendBytes ? 1 : Math.max(1, opts.inFlight ?? CHUNKS_IN_FLIGHT);
  const total = file.size;
  const pending: Array<{ answer: Promise<{ received: number }>; offset: number; end: number }> = [];
  const settleOldest = async (): Promise<void> => {
    const { answer, offset, end } = pending.shift()!;
    const { received } = await answer;
    if (received !== end) {
      throw new BerthError(
        sender.offsetCode,
        `${sender.receiver} holds ${received} bytes after a chunk at ${offset} of ${end - offset} bytes`,
        { expected: end, received },
      );
    }
    opts.onUpload?.(received, total);
  };
  try {
    let offset = 0;
    opts.onUpload?.(0, total);
    while (offset < total) {
      cancelled(opts.signal);
      const end = Math.min(total, offset + chunkBytes);
      const slice = file.slice(offset, end);
      const answer = sendBytes ? sendBytes(offset, slice) : sender.send(offset, await encode(slice));
      pending.push({ answer, offset, end });
      offset = end;
      if (pending.length >= depth) await settleOldest();
    }
    while (pending.length) await settleOldest();
  } finally {
    // Answers nobody will read after a failure must not become unhandled rejections.
    for (const p of pending) p.answer.catch(() => undefined);
  }
  cancelled(opts.signal);
}

/**
 * Uploads `file` and loads it. On any failure before the commit the upload
 * is aborted (the helper drops the partial file); the commit consumes it
 * whatever its outcome.
 */
export async function ingestArchive(client: Invoker, file: Blob, opts: IngestOptions): Promise<LoadResult> {
  cancelled(opts.signal);
  const { ingestId } = await client.invoke('images.ingest.begin', { size: file.size, opId: opts.opId });
  try {
    await sendChunks(
      file,
      {
        send: (offset, data) => client.invoke('images.ingest.chunk', { ingestId, offset, data }),
        ...bytePath(client, 'images.ingest.chunk', ingestId),
        offsetCode: 'INGEST_OFFSET',
        receiver: 'the helper',
      },
      opts,
    );
  } catch (err) {
    await client.invoke('images.ingest.abort', { ingestId }).catch(() => undefined);
    throw err;
  }
  opts.onCommit?.();
  return client.invoke('images.ingest.commit', { ingestId });
}

/**
 * Uploads `blob` to main's uploads (`uploads.begin`, chunks, abort on any
 * failure) and resolves with the upload id, for the call that consumes it
 * (a copy into a container, a build context, a layer analysis).
 */
export async function uploadToMain(
  client: Invoker,
  blob: Blob,
  name: string,
  opts: Pick<IngestOptions, 'chunkBytes' | 'signal' | 'onUpload' | 'encode'> = {},
): Promise<string> {
  const { uploadId } = await client.invoke('uploads.begin', { size: blob.size, name: name.slice(0, 255) });
  try {
    await sendChunks(
      blob,
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
  return uploadId;
}

/** An operation id for `images.progress` (the contract allows 1..128 characters). */
export function newOpId(prefix = 'ui'): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
