/**
 * The packed change lists (preload/schemas/changes-wire.ts) on real
 * analyses: what the analyze methods send decodes back to the engine's own
 * change objects, through JSON and the contract's result check.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAnalysis, unpackAnalysis } from '../../../preload/schemas/changes-wire';
import { parseResult } from '../../shared/validate';
import { BUSYBOX, writeBusyboxSave } from '../../testing/oci/two-layer-busybox';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { dockerSaveParts, makeLayer, ociArchiveParts, writeArchive } from '../../testing/oci/image-archive';
import { analyzeImageArchive, type ImageAnalysis } from './analyze';

function roundTrip(a: ImageAnalysis): void {
  const sent = JSON.parse(JSON.stringify(packAnalysis(a))) as unknown;
  const checked = parseResult('layers.analyzeFile', sent);
  const back = unpackAnalysis(checked);
  expect(back.layers.map((l) => l.changes)).toEqual(a.layers.map((l) => l.changes));
  expect(a.layers.some((l) => l.changes.length > 0)).toBe(true);
}

describe('packed change lists of real analyses', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = makeTmp('berth-changes-wire-');
  });
  afterAll(() => rmrf(tmp));

  it('an image with links, devices, whiteouts, an opaque dir, unicode and long names (docker save and OCI)', async () => {
    const long = `${'ß'.repeat(120)}/${'名'.repeat(90)}`;
    const layers = [
      await makeLayer(
        [
          { path: 'etc', type: 'dir' },
          { path: 'etc/passwd', body: 'root:x:0:0\n' },
          { path: 'bin', type: 'dir' },
          { path: 'bin/sh', body: 'x'.repeat(5000), mode: 0o755 },
          { path: 'bin/bash', type: 'hardlink', linkname: 'bin/sh' },
          { path: 'bin/ls', type: 'symlink', linkname: '/bin/sh' },
          { path: 'dev', type: 'dir' },
          { path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
          { path: 'dev/loop0', type: 'block', devmajor: 7, devminor: 0 },
          { path: 'run', type: 'dir' },
          { path: 'run/fifo', type: 'fifo' },
          { path: 'opt', type: 'dir' },
          { path: 'opt/old', type: 'dir' },
          { path: 'opt/old/a', body: 'a' },
          { path: `données/🐳 ${long}`, body: 'u', uid: 1000, gid: 100, mode: 0o4755 },
        ],
        'gzip',
        'ADD rootfs /',
      ),
      await makeLayer(
        [
          { path: 'etc', type: 'dir' },
          { path: 'etc/passwd', body: 'root:x:0:0\nu:x:1000:100\n' },
          { path: 'etc/.wh.gone', body: '' },
          { path: 'bin', type: 'dir' },
          { path: 'bin/.wh.ls', body: '' },
          { path: 'opt', type: 'dir' },
          { path: 'opt/old', type: 'dir' },
          { path: 'opt/old/.wh..wh..opq', body: '' },
          { path: 'opt/old/b', body: 'b' },
          { path: 'srv/🐳', type: 'symlink', linkname: `../données/🐳 ${long}` },
        ],
        'none',
        'RUN edit',
      ),
    ];
    for (const oci of [false, true]) {
      const file = path.join(tmp, oci ? 'oci.tar' : 'save.tar');
      await writeArchive(file, (oci ? ociArchiveParts(layers) : dockerSaveParts(layers)).members);
      roundTrip(await analyzeImageArchive(file));
    }
  });

  it.runIf(BUSYBOX !== undefined)('the busybox image', async () => {
    const file = path.join(tmp, 'busybox.tar');
    await writeBusyboxSave(file);
    roundTrip(await analyzeImageArchive(file));
  });
});
