import { describe, expect, it } from 'vitest';
import { compilePattern } from './pattern';
import {
  ALL_CLOSED,
  ALL_OPEN,
  countChanges,
  cumulativeTree,
  filterTree,
  flattenTree,
  layerTree,
  toggle,
  type ChangeEntry,
  type ChangeFilter,
  type TreeFilter,
  type TreeNode,
} from './tree';

const entry = (
  path: string,
  change: ChangeEntry['change'],
  type: ChangeEntry['type'] = 'file',
  size = 0,
): ChangeEntry => ({
  path,
  type,
  size,
  mode: type === 'dir' ? 0o755 : 0o644,
  uid: 0,
  gid: 0,
  linkname: '',
  change,
});

/** The busybox test image of main/engine/oci/testdata/busybox-image.ts, as the analysis reports it. */
const layers = [
  {
    changes: [
      entry('/bin', 'added', 'dir'),
      entry('/bin/busybox', 'added', 'file', 1000),
      entry('/bin/sh', 'added', 'symlink'),
      entry('/etc', 'added', 'dir'),
      entry('/etc/motd', 'added', 'file', 8),
      entry('/etc/passwd', 'added', 'file', 30),
      entry('/usr/bin/env', 'added', 'symlink'),
    ],
  },
  {
    changes: [
      entry('/app', 'added', 'dir'),
      entry('/app/hello.sh', 'added', 'file', 31),
      entry('/etc/motd', 'removed', 'file', 8),
      entry('/etc/passwd', 'modified', 'file', 40),
    ],
  },
];

const paths = (rows: readonly TreeNode[]): string[] => rows.map((r) => r.path);
const find = (root: TreeNode, path: string): TreeNode | undefined => {
  let n: TreeNode | undefined = root;
  for (const c of path.split('/').filter(Boolean)) n = n?.children?.find((k) => k.name === c);
  return n;
};
const filter = (over: Partial<Omit<TreeFilter, 'kinds'>> & { kinds?: ChangeFilter[] } = {}): TreeFilter => ({
  changedOnly: over.changedOnly ?? false,
  kinds: new Set(over.kinds ?? []),
  match: over.match ?? null,
});

describe('layerTree', () => {
  it('holds only the layer changes, with implied parents unmarked', () => {
    const t = layerTree(layers[1]!.changes);
    expect(paths(flattenTree(t, ALL_OPEN))).toEqual(['/app', '/app/hello.sh', '/etc', '/etc/motd', '/etc/passwd']);
    expect(find(t, '/etc')).toMatchObject({ change: null, implicit: true, depth: 0 });
    expect(find(t, '/etc/motd')).toMatchObject({ change: 'removed', depth: 1, size: 8 });
    expect(find(t, '/app/hello.sh')).toMatchObject({ change: 'added' });
    expect(countChanges(t)).toEqual({ added: 2, modified: 1, removed: 1, unchanged: 1 });
  });

  it('creates parents the list skips (usr/ in layer 0)', () => {
    const t = layerTree(layers[0]!.changes);
    expect(find(t, '/usr')).toMatchObject({ implicit: true, change: null, type: 'dir' });
    expect(find(t, '/usr/bin/env')).toMatchObject({ change: 'added', depth: 2 });
  });
});

describe('paths that are not clean', () => {
  it('are cleaned like the engine cleans them', () => {
    const t = layerTree([
      entry('a/b', 'added'),
      entry('/c//d/./e', 'added'),
      entry('/f/../g', 'added'),
      entry('/.hidden/..x', 'added'),
      entry('/', 'added', 'dir'),
    ]);
    expect(paths(flattenTree(t, ALL_OPEN))).toEqual([
      '/.hidden',
      '/.hidden/..x',
      '/a',
      '/a/b',
      '/c',
      '/c/d',
      '/c/d/e',
      '/g',
    ]);
  });
});

describe('cumulativeTree', () => {
  it('layer 0 marks everything added', () => {
    const t = cumulativeTree(layers, 0);
    expect(find(t, '/bin/busybox')?.change).toBe('added');
    expect(find(t, '/etc/motd')?.change).toBe('added');
  });

  it('replays lower layers unmarked and keeps the removals of the selected layer as ghosts', () => {
    const t = cumulativeTree(layers, 1);
    expect(find(t, '/bin/busybox')?.change).toBeNull();
    expect(find(t, '/etc/motd')?.change).toBe('removed');
    expect(find(t, '/etc/passwd')).toMatchObject({ change: 'modified', size: 40 });
    expect(find(t, '/app/hello.sh')?.change).toBe('added');
    // Totals leave the ghost out: 1000 + 40 + 31.
    expect(t.total).toBe(1071);
    expect(find(t, '/etc')?.total).toBe(40);
  });

  it('a removal in a lower layer is gone from later merged trees', () => {
    const more = [...layers, { changes: [entry('/tmp', 'added', 'dir')] }];
    const t = cumulativeTree(more, 2);
    expect(find(t, '/etc/motd')).toBeUndefined();
    expect(find(t, '/etc/passwd')?.change).toBeNull();
    expect(find(t, '/tmp')?.change).toBe('added');
  });

  it('a removed directory keeps the lower subtree as removed ghosts; a dir over a dir keeps its content', () => {
    const ls = [
      { changes: [entry('/a', 'added', 'dir'), entry('/a/x', 'added', 'file', 5), entry('/b/y', 'added', 'file', 7)] },
      { changes: [entry('/a', 'removed', 'dir', 5), entry('/b', 'modified', 'dir')] },
    ];
    const t = cumulativeTree(ls, 1);
    expect(find(t, '/a')).toMatchObject({ change: 'removed', total: 5 });
    expect(find(t, '/a/x')?.change).toBe('removed');
    expect(find(t, '/b')?.change).toBe('modified');
    expect(find(t, '/b/y')?.change).toBeNull();
    expect(t.total).toBe(7);
  });

  it('a file replacing a directory drops what was below', () => {
    const ls = [
      { changes: [entry('/a', 'added', 'dir'), entry('/a/x', 'added', 'file', 5)] },
      { changes: [entry('/a', 'modified', 'file', 3), entry('/a/x', 'removed', 'file', 5)] },
    ];
    const t = cumulativeTree(ls, 1);
    expect(find(t, '/a')).toMatchObject({ type: 'file', change: 'modified', children: null });
  });
});

describe('filterTree', () => {
  const t = cumulativeTree(layers, 1);

  it('changed only keeps changes and their parents', () => {
    const r = filterTree(t, filter({ changedOnly: true }));
    expect(paths(flattenTree(r.root, ALL_OPEN))).toEqual(['/app', '/app/hello.sh', '/etc', '/etc/motd', '/etc/passwd']);
    expect(r.matches).toBe(4);
  });

  it('by change type', () => {
    const r = filterTree(t, filter({ kinds: ['removed'] }));
    expect(paths(flattenTree(r.root, ALL_OPEN))).toEqual(['/etc', '/etc/motd']);
  });

  it('by pattern, substring and glob', () => {
    const sub = filterTree(t, filter({ match: compilePattern('busy') }));
    expect(paths(flattenTree(sub.root, ALL_OPEN))).toEqual(['/bin', '/bin/busybox']);
    const glob = filterTree(t, filter({ match: compilePattern('*.sh') }));
    expect(paths(flattenTree(glob.root, ALL_OPEN))).toEqual(['/app', '/app/hello.sh']);
  });

  it('an empty directory that does not match is dropped', () => {
    const withEmpty = cumulativeTree([{ changes: [...layers[0]!.changes, entry('/tmp', 'added', 'dir')] }], 0);
    const r = filterTree(withEmpty, filter({ match: compilePattern('busy') }));
    expect(paths(flattenTree(r.root, ALL_OPEN))).toEqual(['/bin', '/bin/busybox']);
    const tmp = filterTree(withEmpty, filter({ match: compilePattern('tmp') }));
    expect(paths(flattenTree(tmp.root, ALL_OPEN))).toEqual(['/tmp']);
  });

  it('no active filter returns the same tree; kept subtrees are shared', () => {
    expect(filterTree(t, filter()).root).toBe(t);
    expect(filterTree(t, filter({ kinds: ['added', 'modified', 'removed', 'unchanged'] })).root).toBe(t);
    const r = filterTree(t, filter({ match: compilePattern('/bin') }));
    expect(find(r.root, '/bin')).toBe(find(t, '/bin'));
  });
});

describe('flattenTree and expansion', () => {
  const t = cumulativeTree(layers, 1);
  it('collapsed directories hide their children; toggles flip the default', () => {
    expect(paths(flattenTree(t, ALL_CLOSED))).toEqual(['/app', '/bin', '/etc', '/usr']);
    const e = toggle(ALL_CLOSED, '/etc');
    expect(paths(flattenTree(t, e))).toEqual(['/app', '/bin', '/etc', '/etc/motd', '/etc/passwd', '/usr']);
    const closedBin = toggle(ALL_OPEN, '/bin');
    expect(paths(flattenTree(t, closedBin))).not.toContain('/bin/busybox');
    expect(toggle(closedBin, '/bin', false)).toBe(closedBin);
  });
});

// ── 100,000 files ─────────────────────────────────────────────────────────

/** A synthetic image: 100,000 files in 1,000 package dirs, then a layer that changes 5 % of it. */
function bigImage(): Array<{ changes: ChangeEntry[] }> {
  const base: ChangeEntry[] = [];
  for (let p = 0; p < 1000; p++) {
    const dir = `/usr/share/pkg${String(p).padStart(4, '0')}`;
    base.push(entry(dir, 'added', 'dir'));
    for (let s = 0; s < 4; s++) {
      base.push(entry(`${dir}/sub${s}`, 'added', 'dir'));
      for (let f = 0; f < 25; f++) {
        base.push(entry(`${dir}/sub${s}/file${f}${f % 5 === 0 ? '.so' : '.txt'}`, 'added', 'file', 100 + f));
      }
    }
  }
  base.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const top: ChangeEntry[] = [];
  for (let p = 0; p < 1000; p += 20) {
    const dir = `/usr/share/pkg${String(p).padStart(4, '0')}`;
    top.push(entry(`${dir}/sub0`, 'removed', 'dir', 2800));
    for (let f = 0; f < 25; f++) {
      top.push(entry(`${dir}/sub1/file${f}${f % 5 === 0 ? '.so' : '.txt'}`, 'modified', 'file', 999));
    }
    for (let f = 0; f < 25; f++) top.push(entry(`${dir}/new/file${f}`, 'added', 'file', 1));
  }
  return [{ changes: base }, { changes: top }];
}

/** Runs `fn` three times and prints each run (the first includes JIT warm-up); returns the last result. */
function time<T>(label: string, fn: () => T, runs = 3): T {
  const ms: string[] = [];
  let r: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    r = fn();
    ms.push((performance.now() - t0).toFixed(1));
  }
  console.log(`[100k tree] ${label}: ${ms.join(' / ')} ms`);
  return r as T;
}

describe('100,000 files', () => {
  it('builds, flattens and filters (times printed, not asserted)', () => {
    const img = time('generate change lists', bigImage, 1);
    const files = img[0]!.changes.filter((c) => c.type === 'file').length;
    expect(files).toBe(100_000);

    const cum = time('cumulativeTree (replay 2 layers)', () => cumulativeTree(img, 1));
    const layer = time('layerTree (top layer)', () => layerTree(img[1]!.changes));
    const rows = time('flattenTree, all open', () => flattenTree(cum, ALL_OPEN));
    expect(rows.length).toBe(cum.descendants);
    expect(rows.length).toBeGreaterThan(100_000);
    const closed = time('flattenTree, all closed', () => flattenTree(cum, ALL_CLOSED));
    expect(closed.length).toBe(1);
    const oneOpen = time('toggle + flatten', () => flattenTree(cum, toggle(ALL_OPEN, '/usr/share/pkg0000')));
    expect(oneOpen.length).toBe(rows.length - (find(cum, '/usr/share/pkg0000')?.descendants ?? 0));

    const changed = time('filterTree changed only', () => filterTree(cum, filter({ changedOnly: true })));
    const changedRows = time('flatten filtered (changed only)', () => flattenTree(changed.root, ALL_OPEN));
    // 50 packages × (sub0 and its 25 files removed, 25 modified, 25 added; new/ is an implied parent)
    expect(changed.matches).toBe(50 * (26 + 25 + 25));
    expect(changedRows.length).toBeGreaterThan(changed.matches);

    const sub = time('filterTree substring "file7"', () => filterTree(cum, filter({ match: compilePattern('file7') })));
    const glob = time('filterTree glob "*.so"', () => filterTree(cum, filter({ match: compilePattern('*.so') })));
    const deep = time('filterTree glob "/usr/**/sub2/*.so"', () =>
      filterTree(cum, filter({ match: compilePattern('/usr/**/sub2/*.so') })),
    );
    const removed = time('filterTree kinds removed', () => filterTree(cum, filter({ kinds: ['removed'] })));
    time('flatten glob result', () => flattenTree(glob.root, ALL_OPEN));
    expect(glob.matches).toBe(20_000); // removed ones included: they stay as ghosts
    expect(sub.matches).toBeGreaterThan(0);
    expect(deep.matches).toBe(1000 * 5);
    expect(removed.matches).toBe(50 * 26);
    expect(layer.descendants).toBeGreaterThan(0);
  });
});
