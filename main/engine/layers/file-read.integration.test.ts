/**
 * File contents of a real image (the busybox image other tests build, plus a
 * third layer that changes /etc/passwd), read both ways the inspector does:
 * from the archive by main (LayerSources → readLayerFile, as the user) and
 * from the store by a real helper (`layers.readImageFile`, as root).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../../helper/client/rpc-client';
import { CLI_JS, isRoot, startTestHelper, tempDir, type TestHelper } from '../../testing/helper-process';
import { makeLayer } from '../../testing/oci/image-archive';
import { BUSYBOX, busyboxLayers, writeBusyboxSave } from '../../testing/oci/two-layer-busybox';
import { LayerSources } from '../../api/features/layer-sources';
import type { LayerFileContentT } from '../../../preload/schemas/images';
import { layerFileToWire, readLayerFile } from './file-read';

const run = promisify(execFile);
const PASSWD0 = 'root:x:0:0:root:/root:/bin/sh\n';
const PASSWD2 = `${PASSWD0}berth:x:1000:1000::/home/berth:/bin/sh\n`;

describe.runIf(isRoot && BUSYBOX !== undefined)('file contents of the busybox image (root: store via helper)', () => {
  let work = '';
  let tar = '';
  let h: TestHelper;
  let configDigest = '';

  beforeAll(async () => {
    work = tempDir('berth-file-read-');
    tar = path.join(work, 'busybox3.tar');
    const layers = await busyboxLayers();
    const l2 = await makeLayer(
      [
        { path: 'etc', type: 'dir', mode: 0o755 },
        { path: 'etc/passwd', body: PASSWD2, mode: 0o644 },
      ],
      'gzip',
      'RUN adduser berth',
    );
    configDigest = (await writeBusyboxSave(tar, { tag: 'e2e/file-read:1', layers: [...layers, l2] })).configDigest;
    h = await startTestHelper();
    await run(process.execPath, [CLI_JS, 'load', '-i', tar, '--no-start'], {
      env: { ...process.env, BERTH_HELPER_SOCKET: h.socketPath },
    });
  });
  afterAll(async () => {
    await h?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** What both readers must agree on, per (layer, path). */
  async function expectations(read: (layer: number, p: string) => Promise<LayerFileContentT>): Promise<void> {
    const text = (f: LayerFileContentT): string =>
      f.kind === 'file' ? Buffer.from(f.data, 'base64').toString() : f.kind;
    // A text file changed between layers: each layer sees its own version.
    expect(text(await read(2, '/etc/passwd'))).toBe(PASSWD2);
    expect(await read(2, '/etc/passwd')).toMatchObject({
      kind: 'file',
      layer: 2,
      size: PASSWD2.length,
      truncated: false,
    });
    expect(text(await read(1, '/etc/passwd'))).toBe(PASSWD0);
    expect(await read(1, '/etc/passwd')).toMatchObject({ layer: 0 });
    // A binary: the host's busybox, its first 64 KiB.
    const bin = await read(2, '/bin/busybox');
    const host = fs.readFileSync(BUSYBOX as string);
    expect(bin).toMatchObject({ kind: 'file', layer: 0, size: host.length, truncated: host.length > 65536 });
    expect(bin.kind === 'file' && Buffer.from(bin.data, 'base64').equals(host.subarray(0, 65536))).toBe(true);
    // A whiteout: removed in layer 2 (index 1), there in layer 1, still removed above.
    expect(await read(1, '/etc/motd')).toEqual({
      kind: 'removed',
      path: '/etc/motd',
      layer: 1,
      by: 'whiteout',
      entry: 'etc/.wh.motd',
    });
    expect(await read(2, '/etc/motd')).toMatchObject({ kind: 'removed', layer: 1 });
    expect(text(await read(0, '/etc/motd'))).toBe('welcome\n');
    // Links are described, not followed.
    expect(await read(2, '/bin/sh')).toMatchObject({ kind: 'symlink', linkname: 'busybox' });
    expect(await read(2, '/bin/su-test')).toMatchObject({ kind: 'hardlink', linkname: 'bin/busybox' });
  }

  it('from the archive, as main reads it (by range for the plain layer, gunzipped up to the member for the others)', async () => {
    const sources = new LayerSources();
    try {
      const id = await sources.addArchive(tar, { configDigest, owned: false });
      const layers = await sources.layersOf(id);
      expect(layers).toHaveLength(3);
      await expectations(async (layer, p) => layerFileToWire(await readLayerFile(layers, layer, p)));
    } finally {
      await sources.close();
    }
  });

  it('from the store, through the helper (layers.readImageFile), with the contract checked there', async () => {
    const c = await RpcClient.connect(h.socketPath);
    try {
      const read = (layer: number, p: string) =>
        c.call('layers.readImageFile', { ref: 'e2e/file-read:1', layer, path: p }) as Promise<LayerFileContentT>;
      await expectations(read);
      await expect(read(2, '/../../../etc/shadow')).rejects.toMatchObject({ code: 'LAYER_PATH_ESCAPE' });
      await expect(read(2, '/nope')).rejects.toMatchObject({ code: 'LAYER_PATH_NOT_FOUND' });
      await expect(read(3, '/etc/passwd')).rejects.toMatchObject({ code: 'LAYER_INDEX_INVALID' });
      await expect(
        c.call('layers.readImageFile', { ref: 'e2e/file-read:1', layer: 0, path: '/etc/passwd', maxBytes: 1 << 20 }),
      ).rejects.toMatchObject({ code: 'BAD_PARAMS' });
      const small = (await c.call('layers.readImageFile', {
        ref: 'e2e/file-read:1',
        layer: 2,
        path: '/etc/passwd',
        maxBytes: 4,
      })) as LayerFileContentT;
      expect(small).toMatchObject({
        kind: 'file',
        size: PASSWD2.length,
        truncated: true,
        data: Buffer.from('root').toString('base64'),
      });
      await expect(c.call('layers.readImageFile', { ref: 'e2e/gone:1', layer: 0, path: '/x' })).rejects.toMatchObject({
        code: 'IMAGE_NOT_FOUND',
      });
    } finally {
      c.close();
    }
  });
});
