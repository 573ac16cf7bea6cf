/**
 * Streaming a File the browser holds to the helper: `images.ingest.begin`
 * (announcing the size and our opId, so `images.progress` events of the
 * commit carry it), then 1 MiB chunks, strictly sequential, each checked
 * against the offset the helper says it has received, then `commit`, which
 * verifies and loads the archive (all images or none). Works the same over
 * Electron IPC and the web-mode WebSocket: no path crosses, only bytes.
 *
 * Kept free of React and the DOM beyond Blob, so it runs under vitest.
 */
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';

/** 1 MiB: well under the contract's 4 MiB chunk limit and the 16 MiB WebSocket frame. */
export const INGEST_CHUNK_BYTES = 1024 * 1024;

export interface Invoker {
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
}

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
  /** The error code for a receiver that holds something else than offset + chunk. */
  offsetCode: string;
  /** Who receives, for the message ("the helper", "main"). */
  receiver: string;
}

/**
 * The chunk loop both upload protocols share (helper ingest, main uploads):
 * sequential chunks, each at exactly the offset the receiver acknowledged.
 */
export async function sendChunks(
  file: Blob,
  sender: ChunkSender,
  opts: Pick<IngestOptions, 'chunkBytes' | 'signal' | 'onUpload' | 'encode'>,
): Promise<void> {
  const chunkBytes = opts.chunkBytes ?? INGEST_CHUNK_BYTES;
  const encode = opts.encode ?? blobToBase64;
  const total = file.size;
  let offset = 0;
  opts.onUpload?.(0, total);
  while (offset < total) {
    cancelled(opts.signal);
    const chunk = file.slice(offset, Math.min(total, offset + chunkBytes));
    const { received } = await sender.send(offset, await encode(chunk));
    if (received !== offset + chunk.size) {
      throw new BerthError(
        sender.offsetCode,
        `${sender.receiver} holds ${received} bytes after a chunk at ${offset} of ${chunk.size} bytes`,
        { expected: offset + chunk.size, received },
      );
    }
    offset = received;
    opts.onUpload?.(offset, total);
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

/** An operation id for `images.progress` (the contract allows 1..128 characters). */
export function newOpId(prefix = 'ui'): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
