import { describe, expect, it } from 'vitest';
import { deadBytes, type DeadBytesLayer } from './dead-bytes';
import type { ScannedEntry } from './layer-scan';
import { scannedEntry } from '../../testing/scanned-entry';

const e = (path: string, size = 0, type: ScannedEntry['type'] = 'file'): ScannedEntry =>
  scannedEntry(path, { size, type });
const d = (path: string): ScannedEntry => e(path, 0, 'dir');
const layer = (entries: ScannedEntry[], whiteouts: string[] = [], opaques: string[] = []): DeadBytesLayer => ({
  entries,
  whiteouts,
  opaques,
});

describe('deadBytes', () => {
  it('is 0 when every file is reachable', () => {
    expect(deadBytes([layer([d('a'), e('a/x', 10)]), layer([e('b', 5)])])).toEqual({ total: 0, perLayer: [0, 0] });
    expect(deadBytes([])).toEqual({ total: 0, perLayer: [] });
  });

  it('counts a file replaced by a later layer (any type) in the lower layer', () => {
    const r = deadBytes([layer([e('a', 100), e('l', 7)]), layer([e('a', 40), e('l', 0, 'symlink')])]);
    expect(r).toEqual({ total: 107, perLayer: [107, 0] });
  });

  it('counts files under a directory whiteout, which dive sizes as the whiteout only', () => {
    // `rm -rf /var/cache/apt` in a later layer: the whiteout hides the directory and all below it.
    const r = deadBytes([
      layer([d('var'), d('var/cache'), d('var/cache/apt'), e('var/cache/apt/pkg.bin', 3000), e('var/keep', 1)]),
      layer([], ['var/cache/apt']),
    ]);
    expect(r).toEqual({ total: 3000, perLayer: [3000, 0] });
  });

  it('counts files hidden by an opaque directory, but not the layer’s own files in it', () => {
    const r = deadBytes([
      layer([d('etc'), e('etc/old', 50), e('top', 2)]),
      layer([d('etc'), e('etc/new', 9)], [], ['etc']),
    ]);
    expect(r).toEqual({ total: 50, perLayer: [50, 0] });
    // An opaque root hides everything below.
    expect(deadBytes([layer([e('a', 3), d('b'), e('b/c', 4)]), layer([e('z', 1)], [], [''])]).total).toBe(7);
  });

  it('counts files under a directory replaced by a non-directory', () => {
    const r = deadBytes([layer([d('opt'), e('opt/x', 11), e('opt/y', 12)]), layer([e('opt', 1, 'symlink')])]);
    expect(r.total).toBe(23);
  });

  it('hides only lower layers: a whiteout and a re-add in one layer keep the new file; a middle re-add above is dead', () => {
    const r = deadBytes([
      layer([d('d'), e('d/f', 10)]),
      layer([d('d'), e('d/f', 20)], ['d']), // its own d/f survives the whiteout
      layer([], ['d/f']), // … until this layer removes it
    ]);
    expect(r).toEqual({ total: 30, perLayer: [10, 20, 0] });
  });

  it('counts the first of two copies of one path in the same layer', () => {
    expect(deadBytes([layer([e('a', 5), e('a', 8)])])).toEqual({ total: 5, perLayer: [5] });
  });

  it('answers per directory as the entries come, whatever their order (hidden, then not, then hidden again)', () => {
    const r = deadBytes([
      layer([e('x/a', 1), e('y/b', 2), e('x/c', 4), e('x/s/d', 8), e('y/t/e', 16), e('z', 32)]),
      layer([e('m/n', 64), e('m/o', 128)], ['x']),
      layer([e('m/p', 256)], [], ['y/t']),
      layer([e('m', 512)]),
    ]);
    // x (whited out), y/t (opaque above) and m (a file over the directory) hide their contents.
    expect(r.perLayer).toEqual([1 + 4 + 8 + 16, 64 + 128, 256, 0]);
  });

  it('tells sibling directories of the same length apart (the parent is compared in place)', () => {
    const r = deadBytes([layer([e('ab/x', 1), e('ac/y', 2), e('ab/z', 4), e('abc/w', 8)]), layer([], ['ab'])]);
    expect(r.perLayer).toEqual([1 + 4, 0]);
  });

  it('gives the same answer for a layer said to list no path twice (no set of its paths)', () => {
    const lower = [d('a'), e('a/x', 10), e('a/empty'), e('b', 3), d('c'), e('c/y', 7), e('c/z')];
    const upper = [layer([e('b', 1)], ['c'])];
    const plain = deadBytes([layer(lower), ...upper]);
    expect(plain).toEqual({ total: 10, perLayer: [10, 0] });
    expect(deadBytes([{ ...layer(lower), uniquePaths: true }, ...upper])).toEqual(plain);
  });
});
