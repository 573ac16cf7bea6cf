/**
 * Files in and out of a container for the Files tab. Up: the dropped File
 * goes to main's uploads (web mode: raw PUT /chunks; Electron: base64 over
 * IPC), then `containers.cp.upload` streams it into the shown directory as
 * one tar member. Down: `containers.cp.readBegin` (raw for a file, tar for a
 * folder) and 1 MiB `containers.cp.read` pieces, gathered into a Blob the
 * browser saves. Kept free of React, so it runs under vitest.
 */
import type { Result } from '../../../../preload/contract';
import { uploadToMain, type Invoker } from '../images/ingest';

export const DOWNLOAD_CHUNK = 1024 * 1024;

export type CopyResult = Result<'containers.cp.upload'>;

export async function uploadToContainer(client: Invoker, id: string, dir: string, file: File): Promise<CopyResult> {
  const uploadId = await uploadToMain(client, file, file.name);
  return client.invoke('containers.cp.upload', { uploadId, id, path: dir, name: file.name });
}

function base64ToBytes(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A container file's bytes, or a folder as a tar, with the name to save it under. */
export async function downloadFromContainer(
  client: Invoker,
  id: string,
  path: string,
  kind: 'file' | 'dir',
): Promise<{ blob: Blob; name: string }> {
  const begun = await client.invoke('containers.cp.readBegin', { id, path, format: kind === 'file' ? 'raw' : 'tar' });
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  try {
    for (;;) {
      const r = await client.invoke('containers.cp.read', {
        transferId: begun.transferId,
        offset,
        length: DOWNLOAD_CHUNK,
      });
      const bytes = base64ToBytes(r.data);
      parts.push(bytes);
      offset += bytes.length;
      if (r.eof) break;
    }
  } catch (err) {
    await client.invoke('containers.cp.abort', { transferId: begun.transferId }).catch(() => undefined);
    throw err;
  }
  const base = begun.stat.name === '/' ? 'rootfs' : begun.stat.name;
  return {
    blob: new Blob(parts, { type: kind === 'file' ? 'application/octet-stream' : 'application/x-tar' }),
    name: kind === 'file' ? base : `${base}.tar`,
  };
}

/** Hands a Blob to the browser's download (an object URL on a transient link). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
