/**
 * An upload analysed on its worker thread gives what the in-thread analysis
 * gives, error codes included. The worker runs bundled code (the sources are
 * TypeScript): the entry is bundled here with rolldown, as the build does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChanges } from '../../../preload/schemas/changes-wire';
import { dockerSaveParts, makeLayer, writeArchive, type LayerBlob } from '../../testing/oci/image-archive';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { analyzeImageArchive } from './analyze';
import { UploadAnalysis, type UploadAnalyser } from './upload-analysis';
import { analysisWorkerPath, UploadAnalysisThread } from './upload-analysis-thread';

/** Writes `src` into a new `dst` in `step`-byte pieces, telling the analyser after each, as an upload does. */
async function arrive(src: string, dst: string, a: UploadAnalyser, step: number): Promise<void> {
  const bytes = fs.readFileSync(src);
  const fh = await fs.promises.open(dst, 'r+');
  try {
    for (let at = 0; at < bytes.length; at += step) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + step));
      await fh.write(piece, 0, piece.length, at);
      a.advance(at + piece.length);
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    await fh.close();
  }
}

describe('UploadAnalysisThread', () => {
  let tmp = '';
  let worker = '';
  let layers: LayerBlob[] = [];

  beforeAll(async () => {
    tmp = makeTmp('berth-upload-thread-');
    const bundle = await rolldown({
      input: { 'analysis-worker': path.join(import.meta.dirname, 'upload-analysis-worker.ts') },
      platform: 'node',
      logLevel: 'silent',
    });
    await bundle.write({ dir: path.join(tmp, 'out'), format: 'es', entryFileNames: '[name].mjs' });
    await bundle.close();
    worker = path.join(tmp, 'out', 'analysis-worker.mjs');
    layers = [
      await makeLayer(
        [
          { path: 'srv', type: 'dir' },
          ...Array.from({ length: 200 }, (_, i) => ({ path: `srv/f${i}`, body: 'x'.repeat(i % 5) })),
          { path: 'var/cache/big', body: 'y'.repeat(3000) },
        ],
        'none',
        'ADD /srv',
      ),
      await makeLayer(
        [
          { path: 'srv/f1', body: 'changed' },
          { path: 'var/cache/.wh.big', body: '' },
        ],
        'none',
        'RUN rm',
      ),
    ];
  }, 120_000);
  afterAll(() => rmrf(tmp));

  it('is found next to the bundle or its chunks, and not from the sources', () => {
    const out = path.join(tmp, 'out');
    fs.copyFileSync(worker, path.join(out, 'analysis-worker.js'));
    fs.mkdirSync(path.join(out, 'chunks'), { recursive: true });
    expect(analysisWorkerPath(out)).toBe(path.join(out, 'analysis-worker.js'));
    expect(analysisWorkerPath(path.join(out, 'chunks'))).toBe(path.join(out, 'chunks', '..', 'analysis-worker.js'));
    expect(analysisWorkerPath(import.meta.dirname)).toBeNull();
  });

  it('analyses an upload as it arrives, the same as the in-thread analysis and as analyzeImageArchive', async () => {
    const src = path.join(tmp, 'image.tar');
    await writeArchive(src, dockerSaveParts(layers, { tag: 't/upload:1' }).members);
    const size = fs.statSync(src).size;
    const results = [];
    for (const make of [
      (f: string) => new UploadAnalysisThread(worker, f, size),
      (f: string) => new UploadAnalysis(f, size),
    ]) {
      const dst = path.join(tmp, `upload-${results.length}`);
      fs.writeFileSync(dst, '');
      const a = make(dst);
      await arrive(src, dst, a, 1000);
      const { summary, packed } = await a.analyse();
      const lists = await packed;
      await a.close();
      results.push({
        ...summary,
        layers: summary.layers.map((l, i) => ({ ...l, changes: decodeChanges(lists[i], i) })),
      });
    }
    const [onThread, inThread] = results;
    expect(onThread).toEqual(inThread);
    expect(onThread).toEqual(await analyzeImageArchive(src));
    expect(onThread?.layers[1]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
      'modified /srv/f1',
      'removed /var/cache/big',
    ]);
  });

  it('rejects with the analysis error code and still closes', async () => {
    const dst = path.join(tmp, 'not-an-archive');
    fs.writeFileSync(dst, 'x'.repeat(5000));
    const a = new UploadAnalysisThread(worker, dst, 5000);
    a.advance(5000);
    await expect(a.analyse()).rejects.toMatchObject({ name: 'BerthError', code: expect.stringMatching(/^[A-Z_]+$/) });
    await a.close();
    await a.close();
  });

  it('closes while the upload is still arriving (an abort)', async () => {
    const dst = path.join(tmp, 'partial');
    fs.writeFileSync(dst, '');
    const a = new UploadAnalysisThread(worker, dst, 1 << 20);
    a.advance(0);
    await a.close();
    await expect(a.analyse()).rejects.toThrow('closed');
  }, 30_000);
});
