// openInRoot against the kernel, in both modes (openat2 RESOLVE_IN_ROOT and the
// O_NOFOLLOW walk): hostile symlinks resolve inside the root or fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNativeSystemError, openInRoot, overlayMountFd } from './index.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = fs.constants;
const PATH_FLAG = 0o10000000; // O_PATH: Node has no constant for it

let base: string;
let root: string;
let outside: string;
let rootFd: number;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isNativeSystemError(err) ? err.code : String(err);
  }
  return undefined;
}

function readAt(rel: string, walk: boolean): string {
  const fd = openInRoot(rootFd, rel, O_RDONLY, 0, walk);
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-inroot-'));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(root, 'etc', 'secret'), 'inside');
  fs.writeFileSync(path.join(outside, 'secret'), 'outside');
  // The same relative path exists outside: a escape would read "outside".
  fs.mkdirSync(path.join(base, 'etc'));
  fs.writeFileSync(path.join(base, 'etc', 'secret'), 'outside');
  fs.symlinkSync('/etc/secret', path.join(root, 'abs'));
  fs.symlinkSync('../../../../etc/secret', path.join(root, 'dotdot'));
  fs.symlinkSync('/', path.join(root, 'slash'));
  fs.symlinkSync('..', path.join(root, 'up'));
  fs.symlinkSync(outside, path.join(root, 'host'));
  fs.symlinkSync('loop', path.join(root, 'loop'));
  rootFd = fs.openSync(root, O_RDONLY | O_DIRECTORY);
});

afterAll(() => {
  fs.closeSync(rootFd);
  fs.rmSync(base, { recursive: true, force: true });
});

describe.each([false, true])('openInRoot (walk=%s)', (walk) => {
  it('reads plain, absolute and dot-dot paths inside the root', () => {
    expect(readAt('etc/secret', walk)).toBe('inside');
    expect(readAt('/etc/secret', walk)).toBe('inside');
    expect(readAt('../../etc/secret', walk)).toBe('inside');
  });

  it('keeps every hostile symlink inside the root', () => {
    expect(readAt('abs', walk)).toBe('inside');
    expect(readAt('dotdot', walk)).toBe('inside');
    expect(readAt('slash/etc/secret', walk)).toBe('inside');
    expect(readAt('up/up/etc/secret', walk)).toBe('inside');
    // The host path does not exist inside the root.
    expect(code(() => openInRoot(rootFd, 'host/secret', O_RDONLY, 0, walk))).toBe('ENOENT');
  });

  it('refuses a symlink loop and a final symlink under O_NOFOLLOW', () => {
    expect(code(() => openInRoot(rootFd, 'loop', O_RDONLY, 0, walk))).toBe('ELOOP');
    expect(code(() => openInRoot(rootFd, 'abs', O_RDONLY | O_NOFOLLOW, 0, walk))).toBe('ELOOP');
    const fd = openInRoot(rootFd, 'abs', PATH_FLAG | O_NOFOLLOW, 0, walk);
    expect(fs.fstatSync(fd).isSymbolicLink()).toBe(true);
    fs.closeSync(fd);
  });

  it('creates through a symlinked parent inside the root, never outside', () => {
    const name = `made-${walk}`;
    const fd = openInRoot(rootFd, `slash/etc/${name}`, O_WRONLY | O_CREAT | O_EXCL, 0o640, walk);
    fs.writeSync(fd, 'x');
    fs.closeSync(fd);
    expect(fs.readFileSync(path.join(root, 'etc', name), 'utf8')).toBe('x');
    expect(fs.existsSync(path.join(base, 'etc', name))).toBe(false);
    expect(fs.statSync(path.join(root, 'etc', name)).mode & 0o777).toBe(0o640 & ~process.umask());
  });

  it('opens the root itself for "", "/" and ".."', () => {
    for (const p of ['', '/', '..', 'up/..']) {
      const fd = openInRoot(rootFd, p, O_RDONLY | O_DIRECTORY, 0, walk);
      expect(fs.fstatSync(fd).ino).toBe(fs.statSync(root).ino);
      fs.closeSync(fd);
    }
  });
});

describe('overlayMountFd', () => {
  it.runIf(process.getuid?.() === 0)('mounts a detached overlay whose fd is its root', () => {
    const o = path.join(base, 'ovl');
    for (const d of ['lower', 'upper', 'work']) fs.mkdirSync(path.join(o, d), { recursive: true });
    fs.writeFileSync(path.join(o, 'lower', 'l'), 'lower');
    const fd = overlayMountFd([path.join(o, 'lower')], path.join(o, 'upper'), path.join(o, 'work'));
    try {
      expect(readAtFd(fd, 'l')).toBe('lower');
      const w = openInRoot(fd, 'new', O_WRONLY | O_CREAT | O_EXCL, 0o644);
      fs.writeSync(w, 'up');
      fs.closeSync(w);
      expect(fs.readFileSync(path.join(o, 'upper', 'new'), 'utf8')).toBe('up');
      // Attached nowhere: the mount table does not know it.
      expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(path.join(o, 'upper'));
    } finally {
      fs.closeSync(fd);
    }
  });
});

function readAtFd(dirFd: number, rel: string): string {
  const fd = openInRoot(dirFd, rel, O_RDONLY);
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}
