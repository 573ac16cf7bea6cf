import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerSaveParts,
  makeLayer,
  ociArchiveParts,
  writeArchive,
  type LayerBlob,
} from '../../testing/oci/image-archive';
import { makeTmp, rmrf } from '../../testing/oci/helpers';
import { analyzeImageArchive } from './analyze';
import { ArchiveIndex } from '../oci/archive-index';
import { planImage } from '../oci/image-source';
import { ArchivePrelister } from './prelist';

const kb = (n: number, fill = 'x'): string => fill.repeat(n);

/** Copies `src` to `dst` in `step`-byte pieces, telling the prelister after each, as an upload does. */
async function arrive(src: string, dst: string, pre: ArchivePrelister, step: number): Promise<void> {
  const bytes = fs.readFileSync(src);
  const fh = await fs.promises.open(dst, 'r+');
  try {
    for (let at = 0; at < bytes.length; at += step) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + step));
      await fh.write(piece, 0, piece.length, at);
      pre.advance(at + piece.length);
      // Let the listings catch up on what arrived, as they do between chunks.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    await fh.close();
  }
}

/** A docker save archive whose layer members come top layer first (the manifest still says bottom first). */
function reversedLayerMembers(blobs: LayerBlob[]): ReturnType<typeof dockerSaveParts>['members'] {
  const { members } = dockerSaveParts(blobs);
  const isLayer = (m: (typeof members)[number]): boolean => m.path.endsWith('/layer.tar');
  const layerMembers = members.filter(isLayer).reverse();
  let k = 0;
  return members.map((m) => (isLayer(m) ? (layerMembers[k++] as (typeof members)[number]) : m));
}

describe('ArchivePrelister', () => {
  let tmp = '';
  let layers: LayerBlob[] = [];

  beforeAll(async () => {
    tmp = makeTmp('berth-prelist-');
    const many = Array.from({ length: 300 }, (_, i) => ({
      path: `srv/f${String(i).padStart(3, '0')}`,
      body: kb(i % 7),
    }));
    layers = [
      await makeLayer([{ path: 'srv', type: 'dir' }, ...many, { path: 'etc/same', body: kb(100) }], 'none', 'ADD /srv'),
      await makeLayer(
        [
          { path: 'etc', type: 'dir' },
          { path: 'etc/same', body: kb(100) }, // identical rewrite: unmodified only if hashed
          { path: 'srv/f001', body: 'changed' },
          { path: 'srv/.wh.f002', body: '' },
        ],
        'none',
        'RUN edit',
      ),
      await makeLayer([{ path: 'opt/x', body: kb(50) }], 'gzip', 'ADD x'),
    ];
  });
  afterAll(() => rmrf(tmp));

  // Premerged: the layers merged while they arrived are taken only when every layer was listed, in layer order.
  for (const [format, members, plainLayers, premergedUsed] of [
    ['docker save', () => dockerSaveParts(layers).members, 2, false], // a gzip layer: merged by the analysis
    ['OCI', () => ociArchiveParts(layers).members, 2, false],
    ['docker save of plain layers', () => dockerSaveParts(layers.slice(0, 2)).members, 2, true],
    ['docker save of plain layers top first', () => reversedLayerMembers(layers.slice(0, 2)), 2, false],
  ] as const) {
    it(`lists a ${format} archive's plain layers as it arrives; the analysis taking them equals one without`, async () => {
      const src = path.join(tmp, `${format}.tar`);
      await writeArchive(src, members());
      const dst = path.join(tmp, `${format}.upload`);
      fs.writeFileSync(dst, '');
      const pre = new ArchivePrelister(dst, fs.statSync(src).size);
      const used: number[] = [];
      try {
        await arrive(src, dst, pre, 4096);
        let premerged = false;
        const withPre = await analyzeImageArchive(dst, {
          prelisted: (m) => {
            const l = pre.listing(m);
            if (l) used.push(m.offset);
            return l;
          },
          premerged: async (members) => {
            const p = await pre.premerged(members);
            premerged = p !== null;
            if (p) expect(p.layers.map((l) => l.member.offset)).toEqual(members.map((x) => x.offset));
            return p;
          },
        });
        expect(await analyzeImageArchive(src)).toEqual(withPre);
        expect(premerged).toBe(premergedUsed);
        // The plain layers came from the prelister (a gzip one has no listing: it is streamed).
        expect(used).toHaveLength(plainLayers);
        expect(withPre.layers[1]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
          'modified /srv/f001',
          'removed /srv/f002',
        ]);
      } finally {
        await pre.close();
      }
    });
  }

  // The bottom layer is merged and folded while it is listed, unless it repeats a path or has whiteouts.
  for (const [name, baseExtra] of [
    ['a plain base layer', []],
    ['a base layer repeating a path', [{ path: 'srv/f003', body: kb(9) }]],
    ['a base layer with a whiteout', [{ path: 'opt/.wh.none', body: '' }]],
  ] as const) {
    it(`premerges ${name} while it arrives; the analysis equals one without; the digests come with the listings`, async () => {
      const base = await makeLayer(
        [
          { path: 'srv', type: 'dir' },
          { path: 'srv/f003', body: kb(3) },
          { path: 'srv/f004', body: kb(4) },
          ...baseExtra,
        ],
        'none',
        'ADD /srv',
      );
      const blobs = [base, layers[1] as LayerBlob];
      const src = path.join(tmp, `${name}.tar`);
      await writeArchive(src, dockerSaveParts(blobs).members);
      const dst = path.join(tmp, `${name}.upload`);
      fs.writeFileSync(dst, '');
      const pre = new ArchivePrelister(dst, fs.statSync(src).size);
      try {
        await arrive(src, dst, pre, 1024);
        const plan = await planImage(await ArchiveIndex.open(src));
        for (const [i, ref] of plan.layers.entries()) {
          // Hashed as the bytes arrived: ready with the listing, and the layer's digest.
          expect(await (await pre.listing(ref.member))?.digest).toBe(blobs[i]?.digest);
        }
        let premerged = false;
        const withPre = await analyzeImageArchive(dst, {
          prelisted: (m) => pre.listing(m),
          premerged: async (members) => {
            const p = await pre.premerged(members);
            premerged = p !== null;
            return p;
          },
        });
        expect(premerged).toBe(true);
        expect(withPre).toEqual(await analyzeImageArchive(src));
      } finally {
        await pre.close();
      }
    });
  }

  it('still checks the digest of a prelisted layer (DIGEST_MISMATCH naming the blob)', async () => {
    const parts = ociArchiveParts(layers);
    const name = `blobs/sha256/${layers[1]?.digest.slice(7) ?? ''}`;
    const bytes = Buffer.from(layers[1]?.bytes ?? Buffer.alloc(0));
    bytes[512 * 3] = 0x7a; // a body byte: the tar still lists
    const src = path.join(tmp, 'bad.tar');
    await writeArchive(
      src,
      parts.members.map((m) => (m.path === name ? { path: name, body: bytes } : m)),
    );
    const dst = path.join(tmp, 'bad.upload');
    fs.writeFileSync(dst, '');
    const pre = new ArchivePrelister(dst, fs.statSync(src).size);
    try {
      await arrive(src, dst, pre, 64 * 1024);
      await expect(analyzeImageArchive(dst, { prelisted: (m) => pre.listing(m) })).rejects.toMatchObject({
        code: 'DIGEST_MISMATCH',
        details: { blob: name },
      });
    } finally {
      await pre.close();
    }
  });

  it('gives up, with no listing, on a member whose bytes never arrive', async () => {
    const src = path.join(tmp, 'docker save.tar');
    await writeArchive(src, dockerSaveParts(layers).members);
    const index = await ArchiveIndex.open(src);
    const ref = (await planImage(index)).layers[0];
    if (!ref) throw new Error('no layer');
    // The upload stops in the middle of the first layer.
    const cut = ref.member.offset + Math.floor(ref.member.size / 2);
    const dst = path.join(tmp, 'partial.upload');
    fs.writeFileSync(dst, fs.readFileSync(src).subarray(0, cut));
    const pre = new ArchivePrelister(dst, fs.statSync(src).size);
    pre.advance(cut);
    await new Promise((r) => setTimeout(r, 50));
    const waiting = pre.listing(ref.member);
    expect(waiting).toBeDefined();
    await pre.close();
    await expect(waiting).resolves.toBeNull();
  });
});
