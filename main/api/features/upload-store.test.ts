import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBusyboxSave, BUSYBOX } from '../../testing/oci/two-layer-busybox';
import { decodeChanges, packAnalysis } from '../../../preload/schemas/changes-wire';
import { analyzeImageArchive } from '../../engine/layers/analyze';
import { parseParams, parseResult } from '../../shared/validate';
import { UploadStore } from './upload-store';
import { uploadsMainHandlers } from './uploads';

let parent: string;
let store: UploadStore;

beforeEach(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-upload-test-'));
  store = new UploadStore({ parentDir: parent });
});

afterEach(async () => {
  await store.close();
  fs.rmSync(parent, { recursive: true, force: true });
});

const filesIn = async (): Promise<string[]> => fs.readdirSync(await store.dir());

describe('UploadStore', () => {
  it('keeps uploads as 0600 files in a private 0700 dir, chunk by chunk at the received offset', async () => {
    const { uploadId } = await store.begin({ size: 6, name: 'a.tar' });
    const dir = await store.dir();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(await store.chunk(uploadId, 0, Buffer.from('abc'))).toEqual({ received: 3 });
    await expect(store.chunk(uploadId, 0, Buffer.from('abc'))).rejects.toMatchObject({
      code: 'UPLOAD_OFFSET',
      details: { expected: 3, offset: 0 },
    });
    await expect(store.chunk(uploadId, 3, Buffer.from('defg'))).rejects.toMatchObject({
      code: 'UPLOAD_TOO_LARGE',
      details: { size: 6, received: 7 },
    });
    expect(await store.chunk(uploadId, 3, Buffer.from('def'))).toEqual({ received: 6 });
    const [name] = await filesIn();
    expect(fs.statSync(path.join(dir, name!)).mode & 0o777).toBe(0o600);
    const seen = await store.consume(uploadId, async (file, n) => ({ text: fs.readFileSync(file, 'utf8'), n }));
    expect(seen).toEqual({ text: 'abcdef', n: 'a.tar' });
    expect(await filesIn()).toEqual([]);
    await expect(store.consume(uploadId, async () => 1)).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
  });

  it('an incomplete upload is refused and dropped; a failing consumer still removes the file', async () => {
    const a = await store.begin({ size: 4 });
    await store.chunk(a.uploadId, 0, Buffer.from('ab'));
    await expect(store.consume(a.uploadId, async () => 1)).rejects.toMatchObject({
      code: 'UPLOAD_INCOMPLETE',
      details: { size: 4, received: 2 },
    });
    const b = await store.begin({ size: 1 });
    await store.chunk(b.uploadId, 0, Buffer.from('x'));
    await expect(
      store.consume(b.uploadId, async () => {
        throw new Error('analysis failed');
      }),
    ).rejects.toThrow('analysis failed');
    expect(await filesIn()).toEqual([]);
    expect(store.count).toBe(0);
  });

  it('abort drops the file; unknown ids are UPLOAD_NOT_FOUND', async () => {
    const { uploadId } = await store.begin({ size: 10 });
    await store.abort(uploadId);
    expect(await filesIn()).toEqual([]);
    await expect(store.chunk(uploadId, 0, Buffer.from('x'))).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
    await expect(store.abort('0'.repeat(32))).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
  });

  it('caps the size of one upload, of all pending ones, and their number', async () => {
    const small = new UploadStore({ parentDir: parent, maxTotalBytes: 100, maxUploads: 2 });
    try {
      await expect(small.begin({ size: 101 })).rejects.toMatchObject({ code: 'UPLOAD_TOO_LARGE' });
      await small.begin({ size: 60 });
      await expect(small.begin({ size: 41 })).rejects.toMatchObject({
        code: 'UPLOAD_TOO_LARGE',
        details: { pending: 60 },
      });
      await small.begin({ size: 40 });
      await expect(small.begin({ size: 0 })).rejects.toMatchObject({ code: 'TOO_MANY_UPLOADS' });
    } finally {
      await small.close();
    }
  });

  it('sweeps uploads idle for longer than staleAfterMs', async () => {
    const s = new UploadStore({ parentDir: parent, staleAfterMs: 1000 });
    try {
      const { uploadId } = await s.begin({ size: 5 });
      expect(await s.sweep(Date.now())).toBe(0);
      expect(await s.sweep(Date.now() + 5000)).toBe(1);
      await expect(s.chunk(uploadId, 0, Buffer.from('x'))).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
      expect(fs.readdirSync(await s.dir())).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('watch: the file and size, onData after each chunk written, onEnd when the upload goes', async () => {
    const seen: Array<number | 'end'> = [];
    const { uploadId } = await store.begin({ size: 4 });
    const { file, size } = store.watch(uploadId, {
      onData: (n) => seen.push(n),
      onEnd: () => seen.push('end'),
    });
    expect(size).toBe(4);
    await store.chunk(uploadId, 0, Buffer.from('ab'));
    expect(fs.readFileSync(file, 'utf8')).toBe('ab'); // written before onData
    await store.chunk(uploadId, 2, Buffer.from('cd'));
    await store.consume(uploadId, async () => undefined);
    expect(seen).toEqual([2, 4, 'end']);
    const other = await store.begin({ size: 1 });
    let ended = false;
    store.watch(other.uploadId, { onData: () => undefined, onEnd: () => (ended = true) });
    await store.abort(other.uploadId);
    expect(ended).toBe(true);
  });

  it('close removes the private dir', async () => {
    await store.begin({ size: 1 });
    const dir = await store.dir();
    await store.close();
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe.runIf(BUSYBOX !== undefined)('layers.analyzeUpload', () => {
  it('analyses an uploaded 2-layer archive (added file, whiteout) and removes the upload', async () => {
    const tar = path.join(parent, 'img.tar');
    await writeBusyboxSave(tar, { tag: 'e2e/upload:1' });
    const bytes = fs.readFileSync(tar);
    const h = uploadsMainHandlers(store);
    const ctx = { transport: 'web' as const };
    const { uploadId } = await h['uploads.begin'](parseParams('uploads.begin', { size: bytes.length }), ctx);
    const step = 64 * 1024;
    for (let off = 0; off < bytes.length; off += step) {
      // Base64 as a message carries it, and the bytes themselves as main's chunk PUT passes them.
      const piece = bytes.subarray(off, off + step);
      const data = (off / step) % 2 === 0 ? piece.toString('base64') : piece;
      const r = await h['uploads.chunk'](parseParams('uploads.chunk', { uploadId, offset: off, data }), ctx);
      expect(r.received).toBe(Math.min(bytes.length, off + step));
    }
    const a = await h['layers.analyzeUpload'](parseParams('layers.analyzeUpload', { uploadId }), ctx);
    expect(a.repoTags).toEqual(['e2e/upload:1']);
    // Listed (and merged) while it arrived, it equals an analysis of the same file from disk.
    expect(a).toEqual(packAnalysis(await analyzeImageArchive(tar)));
    expect(a.layers).toHaveLength(2);
    // The result is what the contract sends (packed), and decodes back to the objects.
    expect(a).toMatchObject(parseResult('layers.analyzeUpload', a));
    const top = decodeChanges(a.layers[1]!.changes);
    expect(top.find((c) => c.path === '/app/hello.sh')?.change).toBe('added');
    expect(top.find((c) => c.path === '/etc/motd')?.change).toBe('removed');
    expect(await filesIn()).toEqual([]);
  });

  it('the schema refuses what the store never sees: bad ids, oversized announcements, non-base64', () => {
    expect(() => parseParams('uploads.begin', { size: 9 * 1024 ** 3 })).toThrow(/8 GiB/);
    expect(() => parseParams('uploads.chunk', { uploadId: 'x', offset: 0, data: '' })).toThrow();
    expect(() => parseParams('uploads.chunk', { uploadId: 'a'.repeat(32), offset: 0, data: '%%' })).toThrow();
    expect(() => parseParams('layers.analyzeUpload', { uploadId: 'a'.repeat(32), path: '/etc' })).toThrow();
  });
});
