import { describe, expect, it } from 'vitest';
import { MergedTree } from './filetree';
import type { ScannedEntry } from './layer-scan';
import { scannedEntry } from '../../testing/scanned-entry';

const e = (path: string, over: Partial<ScannedEntry> = {}): ScannedEntry =>
  scannedEntry(path, { size: 1, hash: 'h', ...over });
const dir = (path: string, over: Partial<ScannedEntry> = {}): ScannedEntry =>
  e(path, { type: 'dir', size: 0, mode: 0o755, ...over });
const show = (t: ReturnType<MergedTree['applyLayer']>): string[] => t.changes.map((c) => `${c.change} ${c.path}`);

describe('MergedTree', () => {
  it('classifies added, modified (content, mode, owner, link target) and unmodified entries', () => {
    const t = new MergedTree();
    t.applyLayer({
      entries: [dir('etc'), e('etc/a'), e('etc/b'), e('etc/c'), e('l', { type: 'symlink', size: 0, linkname: 'x' })],
      whiteouts: [],
      opaques: [],
    });
    const d = t.applyLayer({
      entries: [
        dir('etc'),
        e('etc/a', { hash: 'other' }),
        e('etc/b', { mode: 0o600 }),
        e('etc/c'),
        e('l', { type: 'symlink', size: 0, linkname: 'y' }),
        e('new'),
      ],
      whiteouts: [],
      opaques: [],
    });
    expect(show(d)).toEqual(['modified /etc/a', 'modified /etc/b', 'modified /l', 'added /new']);
    expect(d.stats.unmodified).toBe(2);
  });

  it('applies whiteouts and opaque dirs to lower layers only', () => {
    const t = new MergedTree();
    t.applyLayer({
      entries: [dir('d'), e('d/x', { size: 5 }), e('d/y', { size: 7 }), dir('w'), e('w/z', { size: 3 })],
      whiteouts: [],
      opaques: [],
    });
    const d = t.applyLayer({
      entries: [e('d/x', { size: 6 }), dir('w'), e('w/new')],
      whiteouts: ['w'],
      opaques: ['d'],
    });
    // d is opaque: y goes, x is rewritten; w is whited out and re-made in the same layer: its old content goes.
    expect(show(d)).toEqual(['modified /d/x', 'removed /d/y', 'added /w/new', 'removed /w/z']);
    expect(t.list().map((x) => x.path)).toEqual(['/d', '/d/x', '/w', '/w/new']);
  });

  it('reports a directory replaced by a file as a modification plus the removal of its content', () => {
    const t = new MergedTree();
    const d0 = t.applyLayer({ entries: [dir('p'), e('p/q', { size: 9 })], whiteouts: [], opaques: [] });
    const d = t.applyLayer({ entries: [e('p', { size: 2 })], whiteouts: [], opaques: [] });
    expect(show(d)).toEqual(['modified /p', 'removed /p/q']);
    expect(MergedTree.replay([d0, d]).list()).toEqual(t.list());
    expect(t.list().map((x) => `${x.type} ${x.path}`)).toEqual(['file /p']);
  });

  it('sizes a removed directory by everything under it', () => {
    const t = new MergedTree();
    t.applyLayer({
      entries: [dir('v'), dir('v/a'), e('v/a/1', { size: 10 }), e('v/2', { size: 20 })],
      whiteouts: [],
      opaques: [],
    });
    const d = t.applyLayer({ entries: [], whiteouts: ['v', 'not-there'], opaques: [] });
    expect(d.changes).toEqual([
      { path: '/v', type: 'dir', size: 30, mode: 0o755, uid: 0, gid: 0, linkname: '', change: 'removed' },
    ]);
  });
});

describe('MergedTree.baseMerge (the bottom layer merged while it is listed)', () => {
  const upper = {
    entries: [dir('a'), e('a/b', { hash: 'other' }), e('x/y'), e('l', { type: 'hardlink', size: 0, linkname: 'a/b' })],
    whiteouts: ['c'],
    opaques: ['d'],
  };
  // Orders that make applyLayer's "first header's place" matter: children before
  // parents, a child under a file, a non-directory over an implicit directory,
  // hard links, and the base's own whiteouts and opaque markers (they hide nothing).
  const bases: Array<{ name: string; entries: ScannedEntry[]; whiteouts: string[]; opaques: string[] }> = [
    {
      name: 'in order',
      entries: [dir('a'), e('a/b'), dir('c'), e('c/z'), dir('d'), e('d/w')],
      whiteouts: [],
      opaques: [],
    },
    {
      name: 'children first, a file over a directory, links',
      entries: [e('a/b'), dir('a'), e('c/z'), e('c'), e('d/w'), e('l', { type: 'hardlink', size: 0, linkname: 'd/w' })],
      whiteouts: ['gone'],
      opaques: ['', 'd'],
    },
    {
      name: "a directory's entries split by another's, deep paths",
      entries: [dir('a'), e('a/x'), e('c/d/e/y'), e('a/z'), e('c/d/e/w'), e('c/d/v'), dir('c/d')],
      whiteouts: [],
      opaques: [],
    },
    {
      name: 'a child under a file',
      entries: [e('a'), e('a/b'), dir('d'), e('d/w', { size: 7 })],
      whiteouts: [],
      opaques: [],
    },
  ];
  for (const base of bases) {
    it(`gives applyLayer's diff and tree: ${base.name}`, () => {
      const usual = new MergedTree();
      const want = usual.applyLayer(base);
      const m = MergedTree.baseMerge();
      for (const x of base.entries) m.add(x);
      const got = m.finish(base);
      expect(got?.diff).toEqual(want);
      expect(got?.tree.list()).toEqual(usual.list());
      // The next layer sees the same tree.
      expect(got?.tree.applyLayer(upper)).toEqual(usual.applyLayer(upper));
      expect(got?.tree.list()).toEqual(usual.list());
    });
  }

  it('gives up on a path listed twice, or on other entries than those added', () => {
    const twice = MergedTree.baseMerge();
    for (const x of [dir('a'), e('a/b'), dir('a', { mode: 0o700 })]) twice.add(x);
    expect(twice.finish({ entries: [dir('a'), e('a/b'), dir('a', { mode: 0o700 })] })).toBeNull();
    // A path listed again after a child made its file an implicit directory, and
    // entries of one directory split by another's (the cached directory is walked again).
    for (const entries of [
      [e('a'), e('a/b'), e('a')],
      [e('a'), e('a/b'), dir('a')],
      [dir('a'), e('a/b'), dir('c'), e('c/d'), e('a/b')],
    ]) {
      const again = MergedTree.baseMerge();
      for (const x of entries) again.add(x);
      expect(again.finish({ entries })).toBeNull();
    }
    const short = MergedTree.baseMerge();
    short.add(e('a'));
    expect(short.finish({ entries: [e('a'), e('b')] })).toBeNull();
  });
});
