/**
 * A small real image for store tests: a busybox rootfs (the host's
 * /bin/busybox plus applet symlinks) and a second layer that changes it
 * (adds a file, whites one out), written with our own tar writer as a
 * classic `docker save` tar.
 */
import fs from 'node:fs';
import type { TarWriteEntry } from '../../engine/oci/tar/writer';
import { dockerSaveParts, makeLayer, writeArchive, type ImageParts, type LayerBlob } from './image-archive';

export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));

const APPLETS = ['sh', 'ls', 'cat', 'echo', 'true', 'false', 'mkdir', 'rm', 'cp', 'mv', 'ln', 'ps', 'id', 'env'];

export async function busyboxLayers(): Promise<LayerBlob[]> {
  if (!BUSYBOX) throw new Error('no busybox binary on this machine');
  const bin = fs.readFileSync(BUSYBOX);
  const base: TarWriteEntry[] = [
    { path: 'bin', type: 'dir', mode: 0o755, mtime: 1700000000 },
    { path: 'bin/busybox', body: bin, mode: 0o755, mtime: 1700000000 },
    ...APPLETS.map((a): TarWriteEntry => ({
      path: `bin/${a}`,
      type: 'symlink',
      linkname: 'busybox',
      mtime: 1700000000,
    })),
    { path: 'etc', type: 'dir', mode: 0o755 },
    { path: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n', mode: 0o644 },
    { path: 'etc/motd', body: 'welcome\n', mode: 0o644 },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'usr', type: 'dir', mode: 0o755 },
    { path: 'usr/bin', type: 'dir', mode: 0o755 },
    { path: 'usr/bin/env', type: 'symlink', linkname: '../../bin/busybox' },
    { path: 'bin/su-test', type: 'hardlink', linkname: 'bin/busybox' },
  ];
  const l0 = await makeLayer(base, 'none', 'ADD busybox-rootfs.tar /');
  const l1 = await makeLayer(
    [
      { path: 'etc', type: 'dir', mode: 0o755 },
      { path: 'etc/.wh.motd', body: '' },
      { path: 'app', type: 'dir', mode: 0o755 },
      { path: 'app/hello.sh', body: '#!/bin/sh\necho hello from berth\n', mode: 0o755 },
      { path: 'app/setuid', body: 'x', mode: 0o4755 },
    ],
    'gzip',
    'COPY hello.sh /app/',
  );
  return [l0, l1];
}

/** A classic docker save tar of the busybox image, tagged `tag` (default busybox:latest). */
export async function writeBusyboxSave(
  file: string,
  opts: { tag?: string; oci?: boolean; layers?: LayerBlob[] } = {},
): Promise<ImageParts> {
  const layers = opts.layers ?? (await busyboxLayers());
  const parts = dockerSaveParts(layers, { tag: opts.tag ?? 'busybox:latest', ...(opts.oci ? { oci: true } : {}) });
  await writeArchive(file, parts.members);
  return parts;
}
