import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../../preload/errors';
import { dockerSaveParts, makeLayer, writeArchive } from '../../testing/oci/image-archive';
import { parseParams, parseResult } from '../../shared/validate';
import type { HelperCaller } from '../router';
import { EventHub } from '../event-hub';
import { imagesMainHandlers } from './images';
import { LayerSources } from './layer-sources';
import { UploadStore } from './upload-store';

let dir: string;
let uploads: UploadStore;
let sources: LayerSources;
let clock = 0;
const ctx = { transport: 'web' as const };

async function archive(file: string, tag: string): Promise<void> {
  const l0 = await makeLayer(
    [
      { path: 'etc/passwd', body: 'root:x:0:0\n' },
      { path: 'etc/motd', body: 'hi\n' },
    ],
    'none',
    'base',
  );
  const l1 = await makeLayer(
    [
      { path: 'etc/passwd', body: 'root:x:0:0\nme:x:1:1\n' },
      { path: 'etc/.wh.motd', body: '' },
    ],
    'gzip',
    'change',
  );
  await writeArchive(file, dockerSaveParts([l0, l1], { tag }).members);
}

async function code(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof BerthError ? e.code : String(e)),
  );
}

function handlers(helper: Partial<HelperCaller> = {}) {
  return imagesMainHandlers(
    { helper: helper as HelperCaller, hub: new EventHub(), helperState: () => ({ state: 'stopped' }) as never },
    undefined,
    undefined,
    uploads,
    sources,
  );
}

async function upload(h: ReturnType<typeof handlers>, file: string) {
  const bytes = fs.readFileSync(file);
  const { uploadId } = await h['uploads.begin'](parseParams('uploads.begin', { size: bytes.length }), ctx);
  await h['uploads.chunk'](parseParams('uploads.chunk', { uploadId, offset: 0, data: bytes.toString('base64') }), ctx);
  return h['layers.summarizeUpload'](parseParams('layers.summarizeUpload', { uploadId }), ctx);
}

const read = (h: ReturnType<typeof handlers>, sourceId: string, layer: number, p: string) =>
  h['layers.readFile'](parseParams('layers.readFile', { sourceId, layer, path: p }), ctx).then((r) =>
    parseResult('layers.readFile', r),
  );

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-sources-'));
  uploads = new UploadStore({ parentDir: dir });
  clock = 1_000_000;
  sources = new LayerSources({ now: () => clock, idleMs: 60_000 });
});
afterEach(async () => {
  await sources.close();
  await uploads.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('layers.readFile over the sources main keeps', () => {
  it('an upload is kept after its summary, read per layer, and removed when its source goes idle', async () => {
    const tar = path.join(dir, 'img.tar');
    await archive(tar, 'x/up:1');
    const h = handlers();
    const s = await upload(h, tar);
    const kept = fs.readdirSync(await uploads.dir());
    expect(kept).toHaveLength(1);
    const top = await read(h, s.sourceId, 1, '/etc/passwd');
    expect(top).toMatchObject({ kind: 'file', layer: 1, size: 20, truncated: false });
    expect(top.kind === 'file' && Buffer.from(top.data, 'base64').toString()).toBe('root:x:0:0\nme:x:1:1\n');
    expect(await read(h, s.sourceId, 0, '/etc/passwd')).toMatchObject({ kind: 'file', layer: 0, size: 11 });
    expect(await read(h, s.sourceId, 1, '/etc/motd')).toMatchObject({ kind: 'removed', layer: 1, by: 'whiteout' });
    expect(await code(read(h, s.sourceId, 1, '/nope'))).toBe('LAYER_PATH_NOT_FOUND');
    expect(await code(read(h, s.sourceId, 1, '/../../etc/shadow'))).toBe('LAYER_PATH_ESCAPE');
    expect(await code(read(h, s.sourceId, 7, '/etc/passwd'))).toBe('LAYER_INDEX_INVALID');
    // A read keeps it; idle past the limit, it goes with its file.
    clock += 59_000;
    await read(h, s.sourceId, 0, '/etc/motd');
    clock += 59_000;
    await sources.sweep();
    expect(sources.size).toBe(1);
    clock += 61_000;
    expect(await code(read(h, s.sourceId, 0, '/etc/motd'))).toBe('LAYER_SOURCE_GONE');
    expect(fs.readdirSync(await uploads.dir())).toEqual([]);
  });

  it('a failed analysis keeps nothing', async () => {
    const junk = path.join(dir, 'junk.tar');
    fs.writeFileSync(junk, 'not an archive'.repeat(100));
    const h = handlers();
    expect(await code(upload(h, junk))).not.toBe('resolved');
    expect(fs.readdirSync(await uploads.dir())).toEqual([]);
    expect(sources.size).toBe(0);
  });

  it('at most maxEntries sources and maxOwnedBytes of kept uploads: the oldest go, files and all', async () => {
    const tar = path.join(dir, 'img.tar');
    await archive(tar, 'x/up:1');
    const size = fs.statSync(tar).size;
    sources = new LayerSources({ now: () => clock, maxEntries: 2, maxOwnedBytes: size * 2 });
    const h = handlers();
    const a = await upload(h, tar);
    const b = await upload(h, tar);
    const c = await upload(h, tar);
    expect(await code(read(h, a.sourceId, 0, '/etc/passwd'))).toBe('LAYER_SOURCE_GONE');
    expect(await read(h, b.sourceId, 0, '/etc/passwd')).toMatchObject({ kind: 'file' });
    expect(await read(h, c.sourceId, 0, '/etc/passwd')).toMatchObject({ kind: 'file' });
    expect(fs.readdirSync(await uploads.dir())).toHaveLength(2);
    const small = new LayerSources({ now: () => clock, maxOwnedBytes: size - 1 });
    sources = small;
    const h2 = handlers();
    const d = await upload(h2, tar);
    // Larger than the whole budget: not kept at all.
    expect(await code(read(h2, d.sourceId, 0, '/etc/passwd'))).toBe('LAYER_SOURCE_GONE');
  });

  it('a named archive is read again as the user; replaced since the analysis, it is gone', async () => {
    const tar = path.join(dir, 'named.tar');
    await archive(tar, 'x/named:1');
    const h = handlers();
    const s = await h['layers.summarizeFile'](parseParams('layers.summarizeFile', { path: tar }), ctx);
    expect(await read(h, s.sourceId, 1, '/etc/passwd')).toMatchObject({ kind: 'file', layer: 1 });
    await archive(tar, 'x/other:2');
    expect(await code(read(h, s.sourceId, 1, '/etc/passwd'))).toBe('LAYER_SOURCE_GONE');
    // Never removed: it is the user's file.
    expect(fs.existsSync(tar)).toBe(true);
  });

  it('a store image is read by the helper, by manifest digest; removed since, it is gone', async () => {
    const manifestDigest = `sha256:${'b'.repeat(64)}`;
    const calls: Array<[string, unknown]> = [];
    let removed = false;
    const helper = {
      call: async (method: string, params: unknown) => {
        calls.push([method, params]);
        if (method === 'layers.analyzeImage') {
          const tar = path.join(dir, 'store.tar');
          await archive(tar, 'x/store:1');
          const { packAnalysis } = await import('../../../preload/schemas/changes-wire');
          const { analyzeImageArchive } = await import('../../engine/layers/analyze');
          return { ...packAnalysis(await analyzeImageArchive(tar)), manifestDigest };
        }
        if (removed) throw new BerthError('IMAGE_NOT_FOUND', 'no such image');
        return { kind: 'dir', path: '/etc', layer: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0 };
      },
    } as unknown as HelperCaller;
    const h = handlers(helper);
    const s = await h['layers.summarizeImage'](parseParams('layers.summarizeImage', { ref: 'x/store:1' }), ctx);
    expect(await read(h, s.sourceId, 1, '/etc')).toMatchObject({ kind: 'dir' });
    expect(calls.at(-1)).toEqual(['layers.readImageFile', { ref: manifestDigest, layer: 1, path: '/etc' }]);
    removed = true;
    expect(await code(read(h, s.sourceId, 1, '/etc'))).toBe('LAYER_SOURCE_GONE');
  });

  it('layers.compare: an open analysis against a store image, with the engine code berth layers --compare uses', async () => {
    const a = path.join(dir, 'a.tar');
    await archive(a, 'x/a:1');
    const l0 = await makeLayer(
      [
        { path: 'etc/passwd', body: 'root:x:0:0\nsomeone:x:2:2\n' },
        { path: 'etc/motd', body: 'hi\n' },
        { path: 'usr/bin/tool', body: 'x'.repeat(100) },
      ],
      'none',
      'other',
    );
    const b = path.join(dir, 'b.tar');
    await writeArchive(b, dockerSaveParts([l0], { tag: 'x/b:1' }).members);
    const { packAnalysis } = await import('../../../preload/schemas/changes-wire');
    const { analyzeImageArchive } = await import('../../engine/layers/analyze');
    const helper = {
      call: async (method: string, params: { ref: string }) => {
        expect(method).toBe('layers.analyzeImage');
        expect(params).toEqual({ ref: 'x/b:1' });
        return packAnalysis(await analyzeImageArchive(b));
      },
    } as unknown as HelperCaller;
    const h = handlers(helper);
    const s = await h['layers.summarizeFile'](parseParams('layers.summarizeFile', { path: a }), ctx);
    const c = parseResult(
      'layers.compare',
      await h['layers.compare'](
        parseParams('layers.compare', { from: { sourceId: s.sourceId }, to: { ref: 'x/b:1' } }),
        ctx,
      ),
    );
    expect(c.from.name).toBe('x/a:1');
    expect(c.to.name).toBe('x/b:1');
    expect(c.added.map((f) => f.path)).toEqual(['/etc/motd', '/usr', '/usr/bin', '/usr/bin/tool']);
    expect(c.changed).toEqual([{ path: '/etc/passwd', type: 'file', size: 25, before: 20 }]);
    expect(c.removed).toEqual([]);
    expect(c.counts).toEqual({ added: 4, changed: 1, removed: 0 });
    expect(c.filesBytes).toEqual({ from: 20, to: 128, delta: 108 });
    expect(c.sizeBytes.delta).toBe(c.sizeBytes.to - c.sizeBytes.from);
    expect(() => parseParams('layers.compare', { from: { path: '/etc' }, to: { ref: 'x' } })).toThrow();
    expect(
      await code(
        h['layers.compare'](
          parseParams('layers.compare', { from: { sourceId: 'f'.repeat(32) }, to: { ref: 'x/b:1' } }),
          ctx,
        ),
      ),
    ).toBe('LAYER_SOURCE_GONE');
  });

  it('the schema refuses bad ids, caps and layer numbers before anything is read', () => {
    const ok = { sourceId: 'a'.repeat(32), layer: 0, path: '/etc' };
    expect(parseParams('layers.readFile', ok)).toEqual(ok);
    for (const bad of [
      { ...ok, sourceId: '../x' },
      { ...ok, layer: -1 },
      { ...ok, layer: 0.5 },
      { ...ok, maxBytes: 64 * 1024 + 1 },
      { ...ok, path: 'x'.repeat(4097) },
      { ...ok, extra: 1 },
    ]) {
      expect(() => parseParams('layers.readFile', bad)).toThrow();
    }
  });
});
