import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { overlayDiff, type GetXattr } from './overlay-diff';

const isRoot = process.getuid?.() === 0;

// A real overlay mount produces the upper dir; the kernel writes the whiteouts
// and opaque markers itself, so this checks our reading of its format.
describe.runIf(isRoot)('overlay diff from a real overlay mount', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-ovl-'));
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => path.join(base, d)) as [
    string,
    string,
    string,
    string,
  ];
  afterAll(() => {
    try {
      execFileSync('umount', [merged]);
    } catch {
      // not mounted
    }
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('reports added, changed and deleted paths like docker diff', () => {
    for (const d of [lower, upper, work, merged]) fs.mkdirSync(d);
    fs.mkdirSync(path.join(lower, 'etc'));
    fs.writeFileSync(path.join(lower, 'etc', 'hostname'), 'old\n');
    fs.writeFileSync(path.join(lower, 'etc', 'gone'), 'x');
    fs.mkdirSync(path.join(lower, 'var', 'cache'), { recursive: true });
    fs.writeFileSync(path.join(lower, 'var', 'cache', 'a'), 'a');
    execFileSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
      merged,
    ]);
    fs.writeFileSync(path.join(merged, 'etc', 'hostname'), 'new\n'); // C (copy-up)
    fs.rmSync(path.join(merged, 'etc', 'gone')); // D (whiteout)
    fs.mkdirSync(path.join(merged, 'data', 'sub'), { recursive: true }); // A
    fs.writeFileSync(path.join(merged, 'data', 'sub', 'f'), 'f'); // A
    fs.rmSync(path.join(merged, 'var', 'cache'), { recursive: true });
    fs.mkdirSync(path.join(merged, 'var', 'cache')); // opaque dir
    fs.writeFileSync(path.join(merged, 'var', 'cache', 'b'), 'b');
    execFileSync('umount', [merged]);

    // python3's os.getxattr: the addon's lgetxattr is tested in native/.
    const getXattr: GetXattr = (file, name) => {
      const out = execFileSync(
        'python3',
        [
          '-c',
          'import os,sys\ntry:\n  sys.stdout.buffer.write(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False))\nexcept OSError:\n  sys.exit(3)',
          file,
          name,
        ],
        {
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      ).toString();
      return Buffer.from(out);
    };
    const safeGet: GetXattr = (f, n) => {
      try {
        return getXattr(f, n);
      } catch {
        return null;
      }
    };
    const changes = overlayDiff(upper, [lower], safeGet);
    expect(changes).toEqual([
      { kind: 'A', path: '/data' },
      { kind: 'A', path: '/data/sub' },
      { kind: 'A', path: '/data/sub/f' },
      { kind: 'C', path: '/etc' },
      { kind: 'D', path: '/etc/gone' },
      { kind: 'C', path: '/etc/hostname' },
      { kind: 'C', path: '/var' },
      { kind: 'C', path: '/var/cache' },
      { kind: 'D', path: '/var/cache/a' },
      { kind: 'A', path: '/var/cache/b' },
    ]);
  });
});
