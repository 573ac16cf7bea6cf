import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../oci/digest';
import { extractLayer, extractLayerFile } from './extract';
import { createPythonFsOps, type NativeFsOps } from './native-fs';
import { tarBuffer, tarStream, type TarWriteEntry } from '../oci/tar/writer';
import { engineErrorOf, hasTool, listTree, makeTmp, rmrf, run } from '../../testing/oci/helpers';
import { zstdRawFrame } from '../../testing/oci/zstd-raw';

const isRoot = process.getuid?.() === 0;
// cap_net_raw+ep as a VFS_CAP_REVISION_2 security.capability value.
const CAP_NET_RAW = Buffer.from('0100000200200000000000000000000000000000', 'hex');

interface Snapshot {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  rdev: number;
  content?: string;
  link?: string;
  xattrs: Record<string, string>;
}

async function snapshot(root: string, native: NativeFsOps, withDirTimes = true): Promise<Record<string, Snapshot>> {
  const out: Record<string, Snapshot> = {};
  for (const rel of listTree(root)) {
    const p = path.join(root, rel);
    const st = fs.lstatSync(p);
    const type = st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isFIFO()
            ? 'fifo'
            : st.isCharacterDevice()
              ? 'char'
              : 'other';
    const xattrs: Record<string, string> = {};
    for (const name of (await native.llistxattr(p)).sort()) {
      if (name === 'security.selinux') continue;
      xattrs[name] = (await native.lgetxattr(p, name))?.toString('hex') ?? '';
    }
    const snap: Snapshot = {
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: type === 'dir' ? 0 : st.size,
      mtimeMs: type === 'dir' && !withDirTimes ? 0 : Math.floor(st.mtimeMs),
      rdev: st.rdev,
      xattrs,
    };
    if (type === 'file') snap.content = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    if (type === 'symlink') snap.link = fs.readlinkSync(p);
    out[rel] = snap;
  }
  return out;
}

describe.skipIf(!isRoot)('extractLayer', () => {
  let tmp = '';
  let native: NativeFsOps;

  beforeAll(() => {
    tmp = makeTmp('berth-extract-');
    native = createPythonFsOps();
  });
  afterAll(async () => {
    await native.close();
    rmrf(tmp);
  });

  it.skipIf(!hasTool('busybox') || !hasTool('gzip'))(
    'extracts a busybox rootfs made by GNU tar byte-identically (modes, owners, mtimes, setuid, capabilities, xattrs, links)',
    async () => {
      const src = path.join(tmp, 'bb-src');
      const rootfs = path.join(src, 'rootfs');
      for (const d of ['bin', 'etc', 'usr/bin', 'home/user', 'tmp', 'run'])
        fs.mkdirSync(path.join(rootfs, d), { recursive: true });
      fs.copyFileSync(
        fs.realpathSync(run('sh', ['-c', 'command -v busybox']).toString().trim()),
        path.join(rootfs, 'bin/busybox'),
      );
      fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
      for (const applet of ['sh', 'ls', 'cat', 'ping']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
      fs.linkSync(path.join(rootfs, 'bin/busybox'), path.join(rootfs, 'usr/bin/busybox-hard'));
      fs.writeFileSync(
        path.join(rootfs, 'etc/passwd'),
        'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n',
      );
      fs.writeFileSync(path.join(rootfs, 'etc/shadow'), 'root:*:19000::::::\n');
      fs.chownSync(path.join(rootfs, 'etc/shadow'), 0, 42);
      fs.chmodSync(path.join(rootfs, 'etc/shadow'), 0o640);
      fs.writeFileSync(path.join(rootfs, 'usr/bin/su-test'), 'setuid test\n');
      fs.chmodSync(path.join(rootfs, 'usr/bin/su-test'), 0o4755);
      fs.writeFileSync(path.join(rootfs, 'usr/bin/ping-test'), 'cap test\n');
      fs.chmodSync(path.join(rootfs, 'usr/bin/ping-test'), 0o755);
      await native.lsetxattr(path.join(rootfs, 'usr/bin/ping-test'), 'security.capability', CAP_NET_RAW);
      fs.writeFileSync(path.join(rootfs, 'home/user/notes'), 'private\n');
      await native.lsetxattr(path.join(rootfs, 'home/user/notes'), 'user.comment', Buffer.from([0, 1, 2, 0xff]));
      await native.lsetxattr(path.join(rootfs, 'home/user'), 'trusted.berth', Buffer.from('dir-xattr'));
      fs.chownSync(path.join(rootfs, 'home/user/notes'), 1000, 1000);
      fs.chmodSync(path.join(rootfs, 'home/user/notes'), 0o600);
      fs.chownSync(path.join(rootfs, 'home/user'), 1000, 1000);
      fs.chmodSync(path.join(rootfs, 'home/user'), 0o700);
      fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
      await native.mknod(path.join(rootfs, 'run/initctl'), 'fifo', 0o600, 0, 0);
      // Distinct mtimes, one with a fraction (PAX keeps it).
      let t = 1_600_000_000;
      for (const rel of listTree(rootfs).reverse()) fs.lutimesSync(path.join(rootfs, rel), t, (t += 3600));
      fs.utimesSync(path.join(rootfs, 'etc/passwd'), 1_650_000_000.5, 1_650_000_000.5);

      const tarFile = path.join(src, 'layer.tar');
      run('tar', [
        '--format=pax',
        '--xattrs',
        '--xattrs-include=*',
        '--numeric-owner',
        '-C',
        rootfs,
        '-cf',
        tarFile,
        '.',
      ]);
      run('sh', ['-c', `gzip -c -n "$0" > "$0.gz"`, tarFile]);

      const target = path.join(tmp, 'bb-layer');
      const summary = await extractLayerFile(`${tarFile}.gz`, target, { native });
      expect(summary.compression).toBe('gzip');
      expect(summary.digest).toBe(sha256(fs.readFileSync(`${tarFile}.gz`)));
      expect(summary.diffId).toBe(sha256(fs.readFileSync(tarFile)));
      expect(summary.uncompressedSize).toBe(fs.statSync(tarFile).size);
      expect(summary.hardlinks).toBe(1);
      expect(summary.specials).toBe(1);

      const want = await snapshot(rootfs, native);
      const got = await snapshot(target, native);
      expect(got).toEqual(want);
      expect(got['usr/bin/su-test']?.mode).toBe(0o4755);
      expect(got['usr/bin/ping-test']?.xattrs['security.capability']).toBe(CAP_NET_RAW.toString('hex'));
      expect(got['etc/passwd']?.mtimeMs).toBe(1_650_000_000_500);
      expect(fs.lstatSync(path.join(target, 'usr/bin/busybox-hard')).ino).toBe(
        fs.lstatSync(path.join(target, 'bin/busybox')).ino,
      );
      // The extracted busybox runs.
      const r = spawnSync(path.join(target, 'bin/busybox'), ['echo', 'hello from the layer']);
      expect(r.stdout.toString()).toBe('hello from the layer\n');
      expect(listTree(tmp).filter((p) => p.includes('.extract-'))).toEqual([]);
    },
  );

  it('turns OCI whiteouts into overlay whiteouts and opaque directories', async () => {
    const lower = path.join(tmp, 'wh-lower');
    const upper = path.join(tmp, 'wh-upper');
    await extractLayer(
      tarStream([
        { path: 'etc', type: 'dir' },
        { path: 'etc/keep', body: 'keep' },
        { path: 'etc/gone', body: 'gone' },
        { path: 'usr', type: 'dir', mode: 0o755 },
        { path: 'usr/share', type: 'dir', mode: 0o750, uid: 7, gid: 8, mtime: 1_234_567_890 },
        { path: 'usr/share/doc', type: 'dir' },
        { path: 'usr/share/doc/a', body: 'a' },
        { path: 'usr/share/doc/b', body: 'b' },
        { path: 'usr/share/misc', type: 'dir' },
        { path: 'usr/share/misc/m', body: 'm' },
        { path: 'opt', type: 'dir' },
        { path: 'opt/old', body: 'old' },
      ]),
      lower,
      { native },
    );
    const summary = await extractLayer(
      tarStream([
        { path: 'etc/.wh.gone', body: '' },
        { path: 'usr/share/doc/.wh..wh..opq', body: '' },
        { path: 'usr/share/doc/new', body: 'new' },
        { path: '.wh.opt', body: '' },
        { path: 'opt', type: 'dir' },
        { path: 'opt/y', body: 'y' },
        { path: 'var/.wh.nothing-below', body: '' },
        { path: 'x/.wh..wh.plnk', body: '' },
      ]),
      upper,
      { native, lowerDirs: [lower] },
    );
    // etc/gone and opt (replaced by a directory later); var/nothing-below hides nothing and is dropped.
    expect(summary).toMatchObject({ whiteouts: 2, whiteoutsSkipped: 1, opaqueDirs: 2 });
    expect(fs.existsSync(path.join(upper, 'var'))).toBe(false);
    const gone = fs.lstatSync(path.join(upper, 'etc/gone'));
    expect(gone.isCharacterDevice()).toBe(true);
    expect(gone.rdev).toBe(0);
    expect((await native.lgetxattr(path.join(upper, 'usr/share/doc'), 'trusted.overlay.opaque'))?.toString()).toBe('y');
    // ".wh.opt" then "opt/" in one layer: the new opt hides the lower one.
    expect((await native.lgetxattr(path.join(upper, 'opt'), 'trusted.overlay.opaque'))?.toString()).toBe('y');
    expect(await native.lgetxattr(path.join(upper, 'etc'), 'trusted.overlay.opaque')).toBeNull();
    // Implicit parents copy the lower layer's attributes (containerd's mkparent).
    const share = fs.lstatSync(path.join(upper, 'usr/share'));
    expect([share.mode & 0o7777, share.uid, share.gid, share.mtimeMs]).toEqual([0o750, 7, 8, 1_234_567_890_000]);
    expect(summary.warnings.some((w) => w.includes('.wh..wh.plnk'))).toBe(true);

    // The real check: overlayfs shows what the image means.
    const merged = path.join(tmp, 'wh-merged');
    fs.mkdirSync(merged);
    const m = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower}`, merged]);
    if (m.status !== 0) return; // no overlay here: the on-disk checks above stand
    try {
      expect(listTree(merged)).toEqual(
        [
          'etc',
          'etc/keep',
          'opt',
          'opt/y',
          'usr',
          'usr/share',
          'usr/share/doc',
          'usr/share/doc/new',
          'usr/share/misc',
          'usr/share/misc/m',
        ].sort(),
      );
    } finally {
      spawnSync('umount', [merged]);
    }
  });

  it('verifies digests before the layer appears, and extracts zstd', async () => {
    const entries: TarWriteEntry[] = [{ path: 'f', body: 'zstd content '.repeat(1000) }];
    const tar = await tarBuffer(entries);
    const zst = hasTool('zstd') ? run('zstd', ['-3', '-c', '--no-progress'], { input: tar }) : zstdRawFrame(tar);
    const target = path.join(tmp, 'zst');
    const s = await extractLayer(
      (async function* () {
        yield zst;
      })(),
      target,
      { native, expectedDigest: sha256(zst), expectedDiffId: sha256(tar) },
    );
    expect(s).toMatchObject({ compression: 'zstd', digest: sha256(zst), diffId: sha256(tar), files: 1, bytes: 13_000 });
    expect(fs.readFileSync(path.join(target, 'f'), 'utf8')).toBe('zstd content '.repeat(1000));

    const bad = path.join(tmp, 'zst-bad');
    const err = await engineErrorOf(() =>
      extractLayer(
        (async function* () {
          yield zst;
        })(),
        bad,
        { native, expectedDiffId: sha256('other') },
      ),
    );
    expect(err.code).toBe('DIGEST_MISMATCH');
    expect(fs.existsSync(bad)).toBe(false);
  });

  it('refuses a non-empty target and leaves it alone', async () => {
    const target = path.join(tmp, 'occupied');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'mine'), 'x');
    const err = await engineErrorOf(() => extractLayer(tarStream([{ path: 'a', body: 'a' }]), target, { native }));
    expect(err.code).toBe('TARGET_EXISTS');
    expect(fs.readdirSync(target)).toEqual(['mine']);
  });

  it('creates devices only when allowed, and applies their modes', async () => {
    const target = path.join(tmp, 'dev');
    await extractLayer(tarStream([{ path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }]), target, {
      native,
      allowDevices: true,
    });
    const st = fs.lstatSync(path.join(target, 'dev/null'));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o666);
    expect(st.rdev).toBe(259); // makedev(1, 3)
  });
});
