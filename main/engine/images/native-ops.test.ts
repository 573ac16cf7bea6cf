import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonFsOps, type NativeFsOps } from './native-fs';
import { createNativeFsOps, nativeFsOpsFrom, nativeFsOpsKind } from './native-ops';
import { makeTmp, rmrf } from '../../testing/oci/helpers';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('NativeFsOps: addon or python3 fallback (root)', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = makeTmp('berth-nativeops-');
  });
  afterAll(() => rmrf(tmp));

  const exercise = async (ops: NativeFsOps, dir: string): Promise<void> => {
    fs.mkdirSync(dir);
    const wh = path.join(dir, 'whiteout');
    await ops.mknod(wh, 'char', 0, 0, 0);
    const st = fs.lstatSync(wh);
    expect(st.isCharacterDevice() && st.rdev === 0 && (st.mode & 0o7777) === 0).toBe(true);
    const fifo = path.join(dir, 'fifo');
    await ops.mknod(fifo, 'fifo', 0o666, 0, 0);
    expect(fs.lstatSync(fifo).mode & 0o7777).toBe(0o666); // exact bits, umask not applied
    await ops.lsetxattr(dir, 'trusted.overlay.opaque', Buffer.from('y'));
    expect((await ops.lgetxattr(dir, 'trusted.overlay.opaque'))?.toString()).toBe('y');
    expect(await ops.lgetxattr(dir, 'trusted.absent')).toBeNull();
    expect(await ops.llistxattr(dir)).toContain('trusted.overlay.opaque');
    fs.symlinkSync('/nonexistent', path.join(dir, 'link'));
    // l*: a symlink is not followed (its target does not even exist).
    expect(await ops.llistxattr(path.join(dir, 'link'))).toEqual([]);
    await expect(ops.mknod(wh, 'char', 0, 0, 0)).rejects.toMatchObject({ code: 'EEXIST' });
    await ops.close();
  };

  it(`createNativeFsOps (${nativeFsOpsKind()}) behaves like the python3 fallback`, async () => {
    await exercise(createNativeFsOps(), path.join(tmp, 'picked'));
    await exercise(createPythonFsOps(), path.join(tmp, 'python'));
  });

  it('wraps an addon binding: errors keep the errno code, mknod gets the file type bits', async () => {
    const calls: unknown[][] = [];
    const ops = nativeFsOpsFrom({
      lsetxattr: () => {
        throw Object.assign(new Error('lsetxattr x: ENOTSUP'), { code: 'ENOTSUP', errno: 95, syscall: 'lsetxattr' });
      },
      lgetxattr: () => null,
      llistxattr: () => ['user.a'],
      mknod: (...args: unknown[]) => void calls.push(args),
    });
    await expect(ops.lsetxattr('/x', 'user.a', Buffer.from('1'))).rejects.toMatchObject({ code: 'ENOTSUP' });
    expect(await ops.llistxattr('/x')).toEqual(['user.a']);
    await ops.mknod('/x/wh', 'char', 0, 0, 0);
    expect(calls).toEqual([['/x/wh', 0o020000, 0, 0]]);
  });
});
