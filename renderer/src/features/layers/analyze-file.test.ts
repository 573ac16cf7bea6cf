import { describe, expect, it } from 'vitest';
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { BerthError } from '../../../../preload/errors';
import { encodeChanges } from '../../../../preload/schemas/changes-wire';
import { analyzeDroppedFile, type AnalyzeClient } from './analyze-file';

const ANALYSIS = { layers: [], repoTags: ['x:1'], analysisId: 'c'.repeat(32) };
const NO_CHANGES = { layers: [] };

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
    const { c, calls } = client({
      'layers.summarizeFile': (p) => ({ ...ANALYSIS, path: p.path }),
      'layers.changes': () => NO_CHANGES,
    });
    const r = await analyzeDroppedFile(c, file(3), { pathForFile: () => '/home/u/img.tar' });
    expect(r.route).toBe('path');
    expect(r.analysis).toMatchObject({ path: '/home/u/img.tar' });
    expect(calls).toEqual(['layers.summarizeFile', 'layers.changes']);
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
      'layers.summarizeUpload': () => ANALYSIS,
      'layers.changes': () => NO_CHANGES,
    });
    const r = await analyzeDroppedFile(c, file(3), { pathForFile: () => '' });
    expect(r.route).toBe('upload');
    expect(calls).toEqual(['uploads.begin', 'uploads.chunk', 'layers.summarizeUpload', 'layers.changes']);
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
      'layers.summarizeUpload': (p) => ({ ...ANALYSIS, uploadId: p.uploadId }),
      'layers.changes': () => NO_CHANGES,
    });
    const r = await analyzeDroppedFile(c, file(2500), { pathForFile: null, chunkBytes: 1000 });
    expect(r.route).toBe('upload');
    expect(calls).toEqual([
      'uploads.begin',
      'uploads.chunk',
      'uploads.chunk',
      'uploads.chunk',
      'layers.summarizeUpload',
      'layers.changes',
    ]);
    expect(received).toBe(2500);
  });

  it('paints the summary first, then decodes the packed change lists into the analysis', async () => {
    const list = [
      { path: '/a', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, linkname: '', change: 'added' },
      { path: '/a/l', type: 'symlink', size: 0, mode: 0o777, uid: 0, gid: 0, linkname: '/x', change: 'modified' },
    ] as const;
    const layer = { index: 0, digest: 'sha256:' + '1'.repeat(64) };
    const order: string[] = [];
    const { c } = client({
      'layers.summarizeFile': () => ({ ...ANALYSIS, layers: [layer] }),
      'layers.changes': (p) => {
        order.push(`changes ${String(p.analysisId)}`);
        return { layers: [encodeChanges(list)] };
      },
    });
    const r = await analyzeDroppedFile(c, file(3), {
      pathForFile: () => '/img.tar',
      onSummary: (s) =>
        order.push(`summary ${s.layers.length} ${'changes' in (s.layers[0] ?? {}) ? 'with' : 'without'}`),
    });
    expect(order).toEqual(['summary 1 without', `changes ${'c'.repeat(32)}`]);
    expect(r.analysis.layers[0]).toEqual({ ...layer, changes: list });
    expect('analysisId' in r.analysis).toBe(false);
  });

  it('change lists that do not fit the summary are CHANGES_MALFORMED', async () => {
    const garbage = [
      { layers: [] },
      { layers: [{ v: 1, n: 'x' }] },
      { layers: [encodeChanges([]), encodeChanges([])] },
    ];
    for (const got of garbage) {
      const { c } = client({
        'layers.summarizeFile': () => ({ ...ANALYSIS, layers: [{ index: 0 }] }),
        'layers.changes': () => got,
      });
      await expect(analyzeDroppedFile(c, file(3), { pathForFile: () => '/img.tar' })).rejects.toMatchObject({
        code: 'CHANGES_MALFORMED',
      });
    }
  });
});
