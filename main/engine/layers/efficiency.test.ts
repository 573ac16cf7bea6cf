import { describe, expect, it } from 'vitest';
import { DiveEfficiency, diveEfficiency, type DiveLayer } from './efficiency';

const f = (path: string, size: number) => ({ path, size, type: 'file' as const });
const d = (path: string) => ({ path, size: 0, type: 'dir' as const });

describe('diveEfficiency (dive/filetree/efficiency.go)', () => {
  it('is 1 with nothing wasted for an empty image or unique paths', () => {
    expect(diveEfficiency([])).toEqual({ score: 1, wastedBytes: 0, inefficiencies: [] });
    const r = diveEfficiency([
      { entries: [f('a', 10)], whiteouts: [] },
      { entries: [f('b', 20)], whiteouts: [] },
    ]);
    expect(r).toEqual({ score: 1, wastedBytes: 0, inefficiencies: [] });
  });

  it('counts a rewritten file fully as wasted and discounts the score by all but its smallest copy', () => {
    const r = diveEfficiency([
      { entries: [f('a', 100)], whiteouts: [] },
      { entries: [f('a', 40)], whiteouts: [] },
    ]);
    expect(r.wastedBytes).toBe(140);
    expect(r.score).toBeCloseTo(40 / 140, 12);
    expect(r.inefficiencies).toEqual([{ path: '/a', count: 2, totalSize: 140 }]);
  });

  it('sizes a whiteout of a file as 0 and of a directory as everything below it', () => {
    const layers: DiveLayer[] = [
      { entries: [f('file', 50), d('dir'), f('dir/x', 30), f('dir/y', 20)], whiteouts: [] },
      { entries: [], whiteouts: ['file', 'dir'] },
    ];
    const r = diveEfficiency(layers);
    // /file: 50 + 0 (count 2); /dir: only a leaf in layer 1, size 30 + 20.
    expect(r.inefficiencies).toEqual([{ path: '/file', count: 2, totalSize: 50 }]);
    expect(r.wastedBytes).toBe(50);
    expect(r.score).toBeCloseTo((0 + 30 + 20 + 50) / (50 + 30 + 20 + 50), 12);
  });

  it("keeps dive's placeholder rule: a parent a later tar does not list stops counting as a directory", () => {
    const layers: DiveLayer[] = [
      { entries: [d('var'), f('var/x', 700)], whiteouts: [] },
      { entries: [f('var/y', 10)], whiteouts: [] }, // no "var/" entry: dive stacks an empty placeholder over it
      { entries: [], whiteouts: ['var'] },
    ];
    const r = diveEfficiency(layers);
    expect(r.inefficiencies).toEqual([]);
    expect(r.score).toBeCloseTo((700 + 10 + 0) / (700 + 10 + 0), 12);
  });

  it('ignores a whiteout of a path absent below (dive would abort the layer and count -1)', () => {
    const r = diveEfficiency([
      { entries: [f('a', 10)], whiteouts: [] },
      { entries: [f('b', 5)], whiteouts: ['nothing'] },
    ]);
    expect(r).toEqual({ score: 1, wastedBytes: 0, inefficiencies: [] });
  });
});

describe('DiveEfficiency.baseFold (the bottom layer folded while it is listed)', () => {
  const top: DiveLayer = { entries: [f('a/b', 5), d('empty'), f('x', 3)], whiteouts: ['a/c', 'dir'] };
  for (const [name, base] of [
    ['in order', { entries: [d('a'), f('a/b', 10), f('a/c', 4), d('empty'), d('dir'), f('dir/q', 9)], whiteouts: [] }],
    [
      'children first, a file that gains a child, an empty dir',
      { entries: [f('a/b', 10), f('x', 2), f('x/y', 6), d('a'), d('dir'), d('empty')], whiteouts: [] },
    ],
  ] as const) {
    it(`leaves the fold as add() does: ${name}`, () => {
      const fold = DiveEfficiency.baseFold();
      for (const x of base.entries) fold.add(x);
      const e = fold.finish(base);
      expect(e).not.toBeNull();
      e?.add(top);
      expect(e?.result()).toEqual(diveEfficiency([base, top]));
    });
  }

  it('gives up on a base layer with whiteouts, or other entries than those added', () => {
    const fold = DiveEfficiency.baseFold();
    fold.add(f('a', 1));
    expect(fold.finish({ entries: [f('a', 1)], whiteouts: ['b'] })).toBeNull();
    expect(DiveEfficiency.baseFold().finish({ entries: [f('a', 1)], whiteouts: [] })).toBeNull();
  });

  // The base's leaves stay in its tree until an upper layer visits them, and
  // stacking copies the base's nodes it writes: random images (three to five
  // layers; upper layers rewrite, white out and re-add base paths, files and
  // directories, at several depths) must give add()'s numbers exactly.
  it("gives add()'s result for random images of several layers", () => {
    let seed = 13;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['a', 'b', 'c'];
    const randomPath = (): string =>
      Array.from({ length: 1 + rand(3) }, () => names[rand(names.length)] as string).join('/');
    const entry = (path: string) => (rand(3) === 0 ? d(path) : f(path, rand(4) * 10));
    for (let round = 0; round < 300; round++) {
      const seen = new Set<string>();
      const baseEntries = [];
      for (let i = 0; i < 12; i++) {
        const p = randomPath();
        if (seen.has(p)) continue; // a base layer lists no path twice (baseMerge's condition)
        seen.add(p);
        baseEntries.push(entry(p));
      }
      const base: DiveLayer = { entries: baseEntries, whiteouts: [] };
      const uppers: DiveLayer[] = Array.from({ length: 2 + rand(3) }, () => ({
        entries: Array.from({ length: rand(5) }, () => entry(randomPath())),
        whiteouts: Array.from({ length: rand(3) }, () => randomPath()),
      }));
      const fold = DiveEfficiency.baseFold();
      for (const x of base.entries) fold.add(x);
      const e = fold.finish(base);
      expect(e).not.toBeNull();
      for (const u of uppers) e?.add(u);
      expect(e?.result(), `round ${round}`).toEqual(diveEfficiency([base, ...uppers]));
    }
  });
});
