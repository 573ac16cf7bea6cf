import { describe, expect, it } from 'vitest';
import type { ChangeObject } from '../../../preload/schemas/changes-wire';
import { compareImages } from './compare';

const c = (
  path: string,
  change: ChangeObject['change'],
  size = 0,
  type: ChangeObject['type'] = 'file',
): ChangeObject => ({
  path,
  type,
  size,
  mode: type === 'dir' ? 0o755 : 0o644,
  uid: 0,
  gid: 0,
  linkname: '',
  change,
});

describe('compareImages', () => {
  it('lists what the second image adds, changes and removes against the first, and the files’ size delta', () => {
    const base = { changes: [c('/etc', 'added', 0, 'dir'), c('/etc/a', 'added', 10), c('/etc/b', 'added', 20)] };
    const from = [base, { changes: [c('/var', 'added', 0, 'dir'), c('/var/cache', 'added', 500)] }];
    const to = [
      base,
      {
        changes: [
          c('/etc/a', 'modified', 15),
          c('/etc/b', 'removed', 20),
          c('/opt', 'added', 0, 'dir'),
          c('/opt/x', 'added', 7),
        ],
      },
    ];
    const r = compareImages(from, to);
    expect(r.added.map((f) => f.path)).toEqual(['/opt', '/opt/x']);
    expect(r.changed).toEqual([{ path: '/etc/a', type: 'file', size: 15, before: 10 }]);
    expect(r.removed.map((f) => f.path)).toEqual(['/etc/b', '/var', '/var/cache']);
    expect(r.filesBytes).toEqual({ from: 530, to: 22, delta: -508 });
  });

  it('finds nothing between an image and itself, and sees a mode or type change as changed', () => {
    const img = [{ changes: [c('/a', 'added', 3), c('/l', 'added', 0, 'symlink')] }];
    expect(compareImages(img, img)).toEqual({
      added: [],
      changed: [],
      removed: [],
      filesBytes: { from: 3, to: 3, delta: 0 },
    });
    const other = [{ changes: [{ ...c('/a', 'added', 3), mode: 0o755 }, c('/l', 'added', 0, 'file')] }];
    expect(compareImages(img, other).changed.map((f) => f.path)).toEqual(['/a', '/l']);
  });
});
