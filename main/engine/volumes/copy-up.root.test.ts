/**
 * Copy-up from layer directories as overlayfs shows them (root: whiteouts
 * are 0:0 device nodes, opaque dirs a trusted.* xattr, and owners are kept).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lgetxattr, lsetxattr } from '../../../native/index';
import { copyUp, resolveImageDir } from './copy-up';

const isRoot = process.getuid?.() === 0;
const getXattr = (f: string, n: string): Buffer | null => lgetxattr(f, n);

function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const n of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, n);
      const st = fs.lstatSync(path.join(dir, r));
      const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? `l->${fs.readlinkSync(path.join(dir, r))}` : 'f';
      out.push(`${r} ${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

describe.runIf(isRoot)('copy-up from overlay layers (root)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-copyup-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const lower = path.join(root, 'lower');
  const mid = path.join(root, 'mid');
  const upper = path.join(root, 'upper');
  const w = (layer: string, rel: string, body: string, mode = 0o644, uid = 0): void => {
    fs.mkdirSync(path.dirname(path.join(layer, rel)), { recursive: true });
    fs.writeFileSync(path.join(layer, rel), body);
    fs.chownSync(path.join(layer, rel), uid, uid);
    fs.chmodSync(path.join(layer, rel), mode); // after chown, which clears setuid
  };
  // lower: /data/{keep,gone,old/x}, /etc, /var/run -> ../run
  w(lower, 'data/keep', 'k', 0o600, 999);
  w(lower, 'data/gone', 'g');
  w(lower, 'data/old/x', 'x');
  w(lower, 'opaque/hidden', 'h');
  w(lower, 'run/app/pid', '1');
  fs.symlinkSync('../run', path.join(lower, 'var-run'));
  // mid: deletes /data/gone (whiteout), replaces /data/old with a file, makes /opaque opaque
  w(mid, 'data/new', 'n', 0o4755);
  execFileSync('mknod', [path.join(mid, 'data/gone'), 'c', '0', '0']);
  w(mid, 'data/old', 'now a file');
  fs.mkdirSync(path.join(mid, 'opaque'));
  lsetxattr(path.join(mid, 'opaque'), 'trusted.overlay.opaque', Buffer.from('y'));
  w(mid, 'opaque/visible', 'v');
  // upper (the container's own changes)
  w(upper, 'data/from-container', 'c');
  fs.symlinkSync('keep', path.join(upper, 'data/link'));
  // overlayfs shows a merged dir with its topmost layer's owner and mode
  fs.chownSync(path.join(upper, 'data'), 70, 70);
  fs.chmodSync(path.join(upper, 'data'), 0o750);
  const layers = [upper, mid, lower];

  it('copies the merged view with modes, owners and links; whiteouts and opaque dirs hide what they hide', () => {
    const vol = path.join(root, 'vol1');
    fs.mkdirSync(vol, { mode: 0o755 });
    const stats = copyUp({ layers, target: '/data', volumeDir: vol, getXattr });
    expect(stats?.skipped).toEqual([]);
    expect(tree(vol)).toEqual([
      'from-container f 644 0:0',
      'keep f 600 999:999',
      'link l->keep 777 0:0',
      'new f 4755 0:0',
      'old f 644 0:0',
    ]);
    expect(fs.readFileSync(path.join(vol, 'old'), 'utf8')).toBe('now a file');
    // the volume's root takes the image dir's owner and mode (docker)
    const st = fs.statSync(vol);
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o750, 70, 70]);

    const vol2 = path.join(root, 'vol2');
    fs.mkdirSync(vol2);
    copyUp({ layers, target: '/opaque', volumeDir: vol2, getXattr });
    expect(fs.readdirSync(vol2)).toEqual(['visible']);
  });

  it('resolves symlinks inside the image root and shifts owners for a user namespace', () => {
    expect(resolveImageDir(layers, '/var-run/app', getXattr)).toEqual([path.join(lower, 'run/app')]);
    expect(resolveImageDir(layers, '/../../../var-run/../run/app', getXattr)).toEqual([path.join(lower, 'run/app')]);
    expect(resolveImageDir(layers, '/data/gone', getXattr)).toBeNull();
    const vol = path.join(root, 'vol3');
    fs.mkdirSync(vol);
    copyUp({ layers, target: '/var-run/app', volumeDir: vol, getXattr, shift: { uid: 100000, gid: 200000 } });
    expect(tree(vol)).toEqual(['pid f 644 100000:200000']);
  });

  it('leaves a non-empty volume and a path the image lacks alone', () => {
    const vol = path.join(root, 'vol4');
    fs.mkdirSync(vol);
    fs.writeFileSync(path.join(vol, 'mine'), 'm');
    expect(copyUp({ layers, target: '/data', volumeDir: vol, getXattr })).toBeNull();
    expect(fs.readdirSync(vol)).toEqual(['mine']);
    const empty = path.join(root, 'vol5');
    fs.mkdirSync(empty);
    expect(copyUp({ layers, target: '/nowhere', volumeDir: empty, getXattr })).toBeNull();
    expect(copyUp({ layers, target: '/data/keep', volumeDir: empty, getXattr })).toBeNull(); // a file, not a dir
    expect(fs.readdirSync(empty)).toEqual([]);
  });
});
