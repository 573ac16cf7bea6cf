/**
 * The test image for container tests, e2e and benchmarks: a busybox rootfs
 * with every applet (`busybox --list`), /etc/passwd and /etc/group, written
 * as a `docker save` tar with our own tar writer. Built in a second from
 * Debian's busybox-static.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { TarWriteEntry } from '../engine/oci/tar/writer';
import { dockerSaveParts, makeConfig, makeLayer, writeArchive } from './oci/image-archive';

export const BUSYBOX_BIN = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));

export async function writeBusyboxImage(file: string, tag = 'busybox:latest'): Promise<void> {
  if (!BUSYBOX_BIN) throw new Error('busybox is not installed (apt-get install busybox-static)');
  const applets = execFileSync(BUSYBOX_BIN, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => /^[a-z0-9_.[-]+$/.test(a) && a !== 'busybox');
  const t = 1700000000;
  const entries: TarWriteEntry[] = [
    { path: 'bin', type: 'dir', mode: 0o755, mtime: t },
    { path: 'bin/busybox', body: fs.readFileSync(BUSYBOX_BIN), mode: 0o755, mtime: t },
    ...applets.map((a): TarWriteEntry => ({ path: `bin/${a}`, type: 'symlink', linkname: 'busybox', mtime: t })),
    { path: 'etc', type: 'dir', mode: 0o755, mtime: t },
    {
      path: 'etc/passwd',
      body: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n',
      mode: 0o644,
      mtime: t,
    },
    { path: 'etc/group', body: 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nwheel:x:10:app\n', mode: 0o644, mtime: t },
    { path: 'etc/hostname', body: 'busybox\n', mode: 0o644, mtime: t },
    { path: 'root', type: 'dir', mode: 0o700, mtime: t },
    { path: 'home', type: 'dir', mode: 0o755, mtime: t },
    { path: 'home/app', type: 'dir', mode: 0o755, uid: 1000, gid: 1000, mtime: t },
    { path: 'tmp', type: 'dir', mode: 0o1777, mtime: t },
    { path: 'var', type: 'dir', mode: 0o755, mtime: t },
    { path: 'var/www', type: 'dir', mode: 0o755, mtime: t },
    { path: 'var/www/index.html', body: 'hello from a berth container\n', mode: 0o644, mtime: t },
    { path: 'proc', type: 'dir', mode: 0o755, mtime: t },
    { path: 'sys', type: 'dir', mode: 0o755, mtime: t },
    { path: 'dev', type: 'dir', mode: 0o755, mtime: t },
  ];
  const layer = await makeLayer(entries, 'gzip', 'ADD busybox rootfs /');
  const config = makeConfig([layer], false);
  config.config = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] };
  const parts = dockerSaveParts([layer], { tag, config });
  await writeArchive(file, parts.members);
}
