// lsetxattr / lgetxattr / llistxattr / mknod against the real kernel. The
// overlay case mounts inside a throwaway mount namespace (unshare -m), never
// on the host.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNativeSystemError, lgetxattr, llistxattr, lsetxattr, mknod } from './index.js';

const isRoot = process.getuid?.() === 0;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('xattrs and mknod', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-fs-'));
  });

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sets, gets and lists user.* attributes, values as bytes', () => {
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    expect(llistxattr(file)).toEqual([]);
    lsetxattr(file, 'user.berth.a', Buffer.from('hello'));
    lsetxattr(file, 'user.berth.bin', Buffer.from([0, 1, 255, 0]));
    lsetxattr(file, 'user.berth.empty', Buffer.alloc(0));
    lsetxattr(file, 'user.berth.u8', new Uint8Array([7, 8]));
    expect(lgetxattr(file, 'user.berth.a')).toEqual(Buffer.from('hello'));
    expect(lgetxattr(file, 'user.berth.bin')).toEqual(Buffer.from([0, 1, 255, 0]));
    expect(lgetxattr(file, 'user.berth.empty')).toEqual(Buffer.alloc(0));
    expect(lgetxattr(file, 'user.berth.u8')).toEqual(Buffer.from([7, 8]));
    expect(llistxattr(file).sort()).toEqual(['user.berth.a', 'user.berth.bin', 'user.berth.empty', 'user.berth.u8']);
    lsetxattr(file, 'user.berth.a', Buffer.from('replaced, and longer than before'));
    expect(lgetxattr(file, 'user.berth.a')!.toString()).toBe('replaced, and longer than before');
    const big = Buffer.alloc(3000, 0x61);
    lsetxattr(file, 'user.berth.big', big);
    expect(lgetxattr(file, 'user.berth.big')).toEqual(big);
  });

  it('returns null for a missing attribute (ENODATA)', () => {
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, '');
    expect(lgetxattr(file, 'user.berth.none')).toBeNull();
    expect(lgetxattr(file, 'trusted.overlay.opaque')).toBeNull();
  });

  it('does not follow a final symlink', () => {
    const target = path.join(dir, 'target');
    const link = path.join(dir, 'link');
    fs.writeFileSync(target, '');
    fs.symlinkSync(target, link);
    // The kernel allows no user.* attributes on symlinks: EPERM proves the
    // call hit the link, not the file.
    const err = thrown(() => lsetxattr(link, 'user.berth.x', Buffer.from('1')));
    expect(isNativeSystemError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'EPERM', syscall: 'lsetxattr', path: link });
    expect((err as Error).message).toBe(`lsetxattr user.berth.x ${link}: EPERM (Operation not permitted)`);
    expect(lgetxattr(target, 'user.berth.x')).toBeNull();
    if (isRoot) {
      lsetxattr(link, 'trusted.berth.x', Buffer.from('on the link'));
      expect(lgetxattr(link, 'trusted.berth.x')!.toString()).toBe('on the link');
      expect(llistxattr(link)).toContain('trusted.berth.x');
      expect(lgetxattr(target, 'trusted.berth.x')).toBeNull();
      expect(llistxattr(target)).not.toContain('trusted.berth.x');
    }
  });

  it('reports errors with the usual shape', () => {
    const missing = path.join(dir, 'missing');
    expect(thrown(() => lgetxattr(missing, 'user.x'))).toMatchObject({
      code: 'ENOENT',
      errno: os.constants.errno.ENOENT,
      syscall: 'lgetxattr',
      path: missing,
      message: `lgetxattr user.x ${missing}: ENOENT (No such file or directory)`,
    });
    expect(thrown(() => llistxattr(missing))).toMatchObject({
      code: 'ENOENT',
      syscall: 'llistxattr',
      message: `llistxattr ${missing}: ENOENT (No such file or directory)`,
    });
    const file = path.join(dir, 'ns');
    fs.writeFileSync(file, '');
    // A namespace the kernel does not know.
    expect(thrown(() => lsetxattr(file, 'bogus.x', Buffer.from('1')))).toMatchObject({
      code: 'EOPNOTSUPP',
      syscall: 'lsetxattr',
    });
  });

  it('rejects bad arguments with a TypeError', () => {
    const file = path.join(dir, 'args');
    const bad: (() => unknown)[] = [
      () => lsetxattr(file, 'user.x', 'string' as unknown as Buffer),
      () => lsetxattr(file, 'user.x', new Uint16Array(2) as unknown as Buffer),
      () => lsetxattr(file, '', Buffer.alloc(1)),
      () => lsetxattr('', 'user.x', Buffer.alloc(1)),
      () => lgetxattr(file, 'user.\0x'),
      () => llistxattr(42 as unknown as string),
      () => mknod(file, -1, 0, 0),
      () => mknod(file, 0o20000, 1.5, 0),
      () => mknod(file, 0o20000, 0, 2 ** 32),
      () => mknod(file, 0o20000, 0, Number.NaN),
    ];
    for (const fn of bad) {
      const err = thrown(fn);
      expect(err).toBeInstanceOf(TypeError);
      expect(err).toMatchObject({ code: 'EINVAL_ARG' });
    }
  });

  it('creates a FIFO, and reports EEXIST', () => {
    const fifo = path.join(dir, 'fifo');
    mknod(fifo, fs.constants.S_IFIFO | 0o644, 0, 0);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(thrown(() => mknod(fifo, fs.constants.S_IFIFO | 0o644, 0, 0))).toMatchObject({
      code: 'EEXIST',
      syscall: 'mknod',
      message: `mknod 0:0 ${fifo}: EEXIST (File exists)`,
    });
  });

  it.runIf(isRoot)('creates an overlay whiteout (char 0:0) and device nodes (root only)', () => {
    const wh = path.join(dir, 'whiteout');
    mknod(wh, fs.constants.S_IFCHR, 0, 0);
    const st = fs.lstatSync(wh);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(0);
    expect(st.mode & 0o7777).toBe(0);
    const nul = path.join(dir, 'null');
    mknod(nul, fs.constants.S_IFCHR | 0o666, 1, 3);
    const ns = fs.lstatSync(nul);
    expect(ns.rdev).toBe(0x103); // makedev(1, 3)
  });

  it.runIf(isRoot)('whiteouts and opaque dirs made this way work in a real overlay (private mount ns)', () => {
    const base = path.join(dir, 'ovl');
    const lower = path.join(base, 'lower');
    const layer = path.join(base, 'layer');
    for (const d of [lower, layer, path.join(base, 'upper'), path.join(base, 'work'), path.join(base, 'merged')]) {
      fs.mkdirSync(d, { recursive: true });
    }
    fs.writeFileSync(path.join(lower, 'deleted'), 'x');
    fs.writeFileSync(path.join(lower, 'kept'), 'x');
    fs.mkdirSync(path.join(lower, 'dir'));
    fs.writeFileSync(path.join(lower, 'dir', 'old'), 'x');
    // The upper layer of an image, unpacked: ".wh.deleted" → whiteout; "dir/.wh..wh..opq" → opaque.
    mknod(path.join(layer, 'deleted'), fs.constants.S_IFCHR, 0, 0);
    fs.mkdirSync(path.join(layer, 'dir'));
    lsetxattr(path.join(layer, 'dir'), 'trusted.overlay.opaque', Buffer.from('y'));
    fs.writeFileSync(path.join(layer, 'dir', 'new'), 'x');
    const script =
      `mount -t overlay overlay -o lowerdir=${layer}:${lower},upperdir=${base}/upper,workdir=${base}/work ${base}/merged` +
      ` && ls ${base}/merged && echo -- && ls ${base}/merged/dir`;
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['dir', 'kept', '--', 'new']);
    // The host never saw it.
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(base);
  });
});
