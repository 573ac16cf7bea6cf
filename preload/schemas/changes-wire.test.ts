import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BerthError } from '../errors';
import {
  CHANGES_WIRE_VERSION,
  PackedChanges,
  decodeChanges,
  encodeChanges,
  packAnalysis,
  unpackAnalysis,
  type ChangeObject,
  type PackedChangesT,
  type WireEntryType,
} from './changes-wire';
import { FileChange, ImageAnalysis } from './images';

const TYPES: WireEntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo'];
const KINDS = ['added', 'modified', 'removed'] as const;

/** A small deterministic PRNG (mulberry32): failures reproduce from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAME_PARTS = [
  'a',
  'etc',
  'usr',
  'lib',
  'x86_64-linux-gnu',
  'données',
  '名前',
  '🐳',
  'e\u0301',
  'ü',
  '\u{1F600}\u{1F601}',
  ' sp ace',
  '.wh',
  '%',
  '"q"',
  '\\',
];

function randomChanges(seed: number, n: number): ChangeObject[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const paths = new Set<string>();
  while (paths.size < n) {
    const depth = 1 + Math.floor(r() * 6);
    let p = '';
    for (let d = 0; d < depth; d++) {
      const long = r() < 0.02 ? pick(NAME_PARTS).repeat(40 + Math.floor(r() * 200)) : '';
      p += `/${pick(NAME_PARTS)}${long}${r() < 0.5 ? String(Math.floor(r() * 1000)) : ''}`;
    }
    paths.add(p);
  }
  return [...paths].sort().map((path) => {
    const type = pick(TYPES);
    const sizes = [0, 1, 4096, 2 ** 31, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER, Math.floor(r() * 1e9)];
    return {
      path,
      type,
      size: pick(sizes),
      mode: pick([0o644, 0o755, 0o4755, 0o1777, 0, 0o7777]),
      uid: pick([0, 1000, 65534, 2 ** 31 - 1, 4294967294]),
      gid: pick([0, 100, 65534]),
      linkname:
        type === 'symlink' || type === 'hardlink'
          ? r() < 0.2
            ? ''
            : `${pick(NAME_PARTS)}/../${pick(NAME_PARTS)}`
          : '',
      change: pick(KINDS),
    };
  });
}

/** Through JSON, as every transport carries it. */
const wire = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('changes wire form', () => {
  it('round-trips random change lists (unicode, long names, empty linknames, large sizes) through JSON', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const list = randomChanges(seed, 1 + Math.floor(rng(seed)() * 400));
      const packed = wire(encodeChanges(list));
      expect(PackedChanges.safeParse(packed).success, `seed ${seed}`).toBe(true);
      expect(decodeChanges(packed), `seed ${seed}`).toEqual(list);
      // Every decoded entry is a valid FileChange of the contract.
      expect(z.array(FileChange).safeParse(decodeChanges(packed)).success).toBe(true);
    }
  });

  it('round-trips unsorted lists, the empty list and a path that shares half of a surrogate pair', () => {
    const base = { type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, linkname: '', change: 'added' } as const;
    const cases: ChangeObject[][] = [
      [],
      [{ ...base, path: '/' }],
      ['/z', '/a', '/a/b', '/z'].map((path) => ({ ...base, path })),
      // U+1F600 and U+1F601 share their high surrogate: a cut after it would split a pair.
      ['/\u{1F600}', '/\u{1F601}', '/\u{1F601}x'].map((path) => ({ ...base, path })),
      [
        { ...base, path: '/l', type: 'symlink', linkname: '\u{1F600}' },
        { ...base, path: '/m', linkname: '' },
      ],
    ];
    for (const list of cases) {
      const packed = encodeChanges(list);
      for (const t of packed.tail)
        expect(t, 'no lone surrogate on the wire').toBe((t as string & { toWellFormed(): string }).toWellFormed());
      expect(decodeChanges(wire(packed))).toEqual(list);
    }
  });

  it('sends linknames only where non-empty', () => {
    const base = { type: 'symlink', size: 0, mode: 0o777, uid: 0, gid: 0, change: 'added' } as const;
    const packed = encodeChanges([
      { ...base, path: '/a', linkname: '' },
      { ...base, path: '/b', linkname: 'target' },
      { ...base, path: '/c', linkname: '' },
    ]);
    expect(packed.linkAt).toEqual([1]);
    expect(packed.linkname).toEqual(['target']);
  });

  it('packs and unpacks whole analyses; the contract accepts the packed form', () => {
    const list = randomChanges(7, 50);
    const a = { configDigest: 'sha256:' + '0'.repeat(64), layers: [{ index: 0, changes: list }] };
    const packed = wire(packAnalysis(a));
    expect(Array.isArray(packed.layers[0]?.changes)).toBe(false);
    expect(unpackAnalysis(packed)).toEqual(a);
    const layerSchema = ImageAnalysis.shape.layers.element.shape.changes;
    expect(layerSchema.safeParse(packed.layers[0]?.changes).success).toBe(true);
  });

  describe('garbage is CHANGES_MALFORMED, never a wrong list', () => {
    const good = (): PackedChangesT =>
      encodeChanges(randomChanges(3, 20).map((c, i) => (i === 4 ? { ...c, type: 'symlink', linkname: 't' } : c)));
    const mutations: Array<[string, (p: PackedChangesT) => unknown, RegExp]> = [
      ['not an object', () => 'x', /not an object/],
      ['an array', () => [], /not an object/],
      ['null', () => null, /not an object/],
      ['unknown version', (p) => ({ ...p, v: 2 }), /unknown version 2/],
      ['no version', (p) => ({ ...p, v: undefined }), /unknown version/],
      ['negative n', (p) => ({ ...p, n: -1 }), /n is not a count/],
      ['fractional n', (p) => ({ ...p, n: 1.5 }), /n is not a count/],
      ['n too large', (p) => ({ ...p, n: p.n + 1 }), /keep has 20 entries, not 21/],
      ['a string in keep', (p) => ({ ...p, keep: p.keep.map((k, i) => (i === 3 ? String(k) : k)) }), /keep/],
      [
        'keep beyond the previous path',
        (p) => ({ ...p, keep: p.keep.map((k, i) => (i === 3 ? 10_000 : k)) }),
        /entry 3 keeps 10000/,
      ],
      ['keep on the first entry', (p) => ({ ...p, keep: p.keep.map((k, i) => (i === 0 ? 1 : k)) }), /entry 0 keeps 1/],
      ['a number in tail', (p) => ({ ...p, tail: p.tail.map((t, i) => (i === 2 ? 5 : t)) }), /tail/],
      ['an unknown type code', (p) => ({ ...p, types: 'x' + p.types.slice(1) }), /types/],
      ['types too short', (p) => ({ ...p, types: p.types.slice(1) }), /types has 19 entries/],
      ['an unknown change code', (p) => ({ ...p, changes: 'z' + p.changes.slice(1) }), /changes/],
      ['a negative size', (p) => ({ ...p, size: p.size.map((s, i) => (i === 1 ? -1 : s)) }), /size/],
      ['NaN smuggled as null', (p) => ({ ...p, size: p.size.map((s, i) => (i === 1 ? null : s)) }), /size/],
      ['a fractional mode', (p) => ({ ...p, mode: p.mode.map((m, i) => (i === 1 ? 0.5 : m)) }), /mode/],
      ['uid missing', (p) => ({ ...p, uid: undefined }), /uid/],
      ['gid too long', (p) => ({ ...p, gid: [...p.gid, 0] }), /gid has 21 entries/],
      ['linkAt without names', (p) => ({ ...p, linkname: [] }), /differ in length/],
      ['linkAt beyond n', (p) => ({ ...p, linkAt: [25], linkname: ['x'] }), /beyond 20/],
      ['linkAt not increasing', (p) => ({ ...p, linkAt: [4, 4], linkname: ['x', 'y'] }), /not increasing/],
      ['an extra member', (p) => ({ ...p, paths: [] }), /unknown member "paths"/],
    ];
    for (const [name, mutate, message] of mutations) {
      it(name, () => {
        const bad = wire(mutate(good()));
        let err: unknown;
        try {
          decodeChanges(bad, 2);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(BerthError);
        expect((err as BerthError).code).toBe('CHANGES_MALFORMED');
        expect((err as BerthError).message).toMatch(message);
        expect((err as BerthError).message).toMatch(/layer 2/);
        // The schema refuses the shape errors (replay errors need decoding).
        if (!/keeps|not increasing|beyond/.test(message.source))
          expect(PackedChanges.safeParse(bad).success).toBe(false);
      });
    }
    it('unpackAnalysis names the layer', () => {
      const p = good();
      expect(() => unpackAnalysis({ layers: [{ changes: p }, { changes: { ...p, v: 9 } }] })).toThrow(/layer 1/);
    });
  });

  it('100,000 changes: size and time against the object form (printed, not asserted)', () => {
    const fileRel = (i: number): string =>
      `/srv/d${String(Math.floor(i / 1000)).padStart(2, '0')}/s${Math.floor((i % 1000) / 100)}/f${String(i).padStart(5, '0')}`;
    const list: ChangeObject[] = [];
    for (let i = 0; i < 100_000; i++) {
      list.push({
        path: fileRel(i),
        type: 'file',
        size: 0,
        mode: 0o644,
        uid: 0,
        gid: 0,
        linkname: '',
        change: 'added',
      });
    }
    list.sort((a, b) => (a.path < b.path ? -1 : 1));
    const time = (f: () => unknown): [number, unknown] => {
      const t = performance.now();
      const r = f();
      return [performance.now() - t, r];
    };
    const [tObjJson, objJson] = time(() => JSON.stringify(list));
    const [tObjParse] = time(() => z.array(FileChange).parse(JSON.parse(objJson as string)));
    const [tEnc, packed] = time(() => encodeChanges(list));
    const [tPackJson, packJson] = time(() => JSON.stringify(packed));
    const [tPackParse] = time(() => PackedChanges.parse(JSON.parse(packJson as string)));
    const [tDec, decoded] = time(() => decodeChanges(packed));
    expect(decoded).toEqual(list);
    const mb = (s: unknown): string => ((s as string).length / 1e6).toFixed(2);
    console.log(
      `[changes-wire] 100,000 changes: objects ${mb(objJson)} MB JSON (stringify ${tObjJson.toFixed(0)} ms, parse+zod ${tObjParse.toFixed(0)} ms); ` +
        `packed ${mb(packJson)} MB (encode ${tEnc.toFixed(0)} ms, stringify ${tPackJson.toFixed(0)} ms, parse+schema ${tPackParse.toFixed(0)} ms, decode ${tDec.toFixed(0)} ms)`,
    );
    expect((packJson as string).length).toBeLessThan((objJson as string).length / 4);
    expect(CHANGES_WIRE_VERSION).toBe(1);
  });
});
