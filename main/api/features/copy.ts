/**
 * Main's side of cp: tar streams to and from the helper's containers.cp.*
 * transfers in ≤ 1 MiB pieces (small tar headers are gathered into one
 * message), used by `berth cp` and by `containers.cp.upload`, which writes a
 * file the Files tab uploaded (web mode: bytes, no host path) into a
 * container directory as one tar member, streamed from main's upload file.
 */
import fs from 'node:fs';
import type { ParsedParams, Result } from '../../../preload/contract';
import { tarChunks } from '../../engine/oci/tar/writer';
import type { HelperCaller, MainHandlersFor, MainServices } from '../router';
import type { UploadStore } from './upload-store';

export const COPY_CHUNK = 1024 * 1024;

/** Re-cuts a stream into pieces of `size` bytes (the last one shorter). */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size = COPY_CHUNK): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of source) {
    let b = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    while (b.length > 0) {
      const take = Math.min(b.length, size - have);
      parts.push(b.subarray(0, take));
      have += take;
      b = b.subarray(take);
      if (have === size) {
        yield Buffer.concat(parts, have);
        parts = [];
        have = 0;
      }
    }
  }
  if (have > 0) yield Buffer.concat(parts, have);
}

/** Streams a tar into a container directory; aborts the transfer on any error. */
export async function sendTar(
  helper: HelperCaller,
  target: Omit<ParsedParams<'containers.cp.writeBegin'>, never>,
  tar: AsyncIterable<Uint8Array>,
): Promise<Result<'containers.cp.writeEnd'>> {
  const { transferId } = await helper.call('containers.cp.writeBegin', target);
  let offset = 0;
  try {
    for await (const piece of rechunk(tar)) {
      await helper.call('containers.cp.write', { transferId, offset, data: piece.toString('base64') });
      offset += piece.length;
    }
  } catch (err) {
    await helper.call('containers.cp.abort', { transferId }).catch(() => undefined);
    throw err;
  }
  return helper.call('containers.cp.writeEnd', { transferId });
}

/** Starts a copy out; `chunks` yields its bytes (the transfer is aborted if the caller stops early). */
export async function receive(
  helper: HelperCaller,
  source: ParsedParams<'containers.cp.readBegin'>,
): Promise<{ begun: Result<'containers.cp.readBegin'>; chunks: AsyncGenerator<Buffer> }> {
  const begun = await helper.call('containers.cp.readBegin', source);
  const { transferId } = begun;
  async function* chunks(): AsyncGenerator<Buffer> {
    let offset = 0;
    let eof = false;
    try {
      while (!eof) {
        const r = await helper.call('containers.cp.read', { transferId, offset, length: COPY_CHUNK });
        const data = Buffer.from(r.data, 'base64');
        offset += data.length;
        eof = r.eof;
        if (data.length > 0) yield data;
      }
    } finally {
      if (!eof) await helper.call('containers.cp.abort', { transferId }).catch(() => undefined);
    }
  }
  return { begun, chunks: chunks() };
}

export function copyMainHandlers(s: MainServices, uploads: UploadStore): MainHandlersFor<'containers.cp.upload'> {
  return {
    'containers.cp.upload': async (p) =>
      uploads.consume(p.uploadId, async (file) => {
        const size = (await fs.promises.stat(file)).size;
        const now = Math.floor(Date.now() / 1000);
        const tar = tarChunks([
          { path: p.name, type: 'file', mode: 0o644, size, mtime: now, body: fs.createReadStream(file) },
        ]);
        return sendTar(s.helper, { id: p.id, path: p.path }, tar);
      }),
  };
}
