import { describe, expect, it } from 'vitest';
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';
import { analyzeDroppedFile, type AnalyzeClient } from './analyze-file';

const ANALYSIS = { layers: [], repoTags: ['x:1'] };

function client(handlers: Record<string, (p: Record<string, unknown>) => unknown>) {
  const calls: string[] = [];
  const c: AnalyzeClient = {
    invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
      calls.push(method);
      const h = handlers[method];
      if (!h) return Promise.reject(new BerthError('METHOD_NOT_FOUND', `no such method: ${method}`));
      try {
        return Promise.resolve(h(params as Record<string, unknown>) as Result<M>);
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
  return { c, calls };
}

const file = (n: number, name = 'img.tar') => new File([new Uint8Array(n)], name);

describe('analyzeDroppedFile', () => {
  it('uses layers.analyzeFile when the preload gives the path', async () => {
    const { c, calls } = client({ 'layers.analyzeFile': (p) => ({ ...ANALYSIS, path: p.path }) });
    const r = await analyzeDroppedFile(c, file(3), { pathForFile: () => '/home/u/img.tar' });
    expect(r.route).toBe('path');
    expect(r.analysis).toMatchObject({ path: '/home/u/img.tar' });
    expect(calls).toEqual(['layers.analyzeFile']);
  });

  it('a receiver that holds other bytes than sent: UPLOAD_OFFSET, and the upload is aborted', async () => {
    const aborted: unknown[] = [];
    const { c, calls } = client({
      'uploads.begin': () => ({ uploadId: 'a'.repeat(32) }),
      'uploads.chunk': () => ({ received: 1 }),
      'uploads.abort': (p) => {
        aborted.push(p.uploadId);
        return {};
      },
    });
    await expect(analyzeDroppedFile(c, file(3), { pathForFile: null })).rejects.toMatchObject({
      code: 'UPLOAD_OFFSET',
      details: { expected: 3, received: 1 },
    });
    expect(calls).toEqual(['uploads.begin', 'uploads.chunk', 'uploads.abort']);
    expect(aborted).toEqual(['a'.repeat(32)]);
  });

  it('an empty path from the preload (a File with no host path) falls back to uploading', async () => {
    const { c, calls } = client({
      'uploads.begin': () => ({ uploadId: 'b'.repeat(32) }),
      'uploads.chunk': (p) => ({ received: atob(String(p.data)).length }),
      'layers.analyzeUpload': () => ANALYSIS,
    });
    const r = await analyzeDroppedFile(c, file(3), { pathForFile: () => '' });
    expect(r.route).toBe('upload');
    expect(calls).toEqual(['uploads.begin', 'uploads.chunk', 'layers.analyzeUpload']);
  });

  it('uploads in offset-checked chunks, then analyses the upload', async () => {
    let received = 0;
    const { c, calls } = client({
      'uploads.begin': (p) => {
        expect(p).toEqual({ size: 2500, name: 'img.tar' });
        return { uploadId: 'f'.repeat(32) };
      },
      'uploads.chunk': (p) => {
        expect(p.offset).toBe(received);
        received += atob(String(p.data)).length;
        return { received };
      },
      'layers.analyzeUpload': (p) => ({ ...ANALYSIS, uploadId: p.uploadId }),
    });
    const r = await analyzeDroppedFile(c, file(2500), { pathForFile: null, chunkBytes: 1000 });
    expect(r.route).toBe('upload');
    expect(calls).toEqual(['uploads.begin', 'uploads.chunk', 'uploads.chunk', 'uploads.chunk', 'layers.analyzeUpload']);
    expect(received).toBe(2500);
  });
});
