import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerSaveParts,
  makeLayer,
  ociArchiveParts,
  writeArchive,
  type LayerBlob,
} from '../oci/testdata/image-archive';
import { makeTmp, rmrf } from '../oci/testdata/helpers';
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

  for (const [format, parts] of [
    ['docker save', () => dockerSaveParts(layers)],
    ['OCI', () => ociArchiveParts(layers)],
  ] as const) {
    it(`lists a ${format} archive's plain layers as it arrives; the analysis taking them equals one without`, async () => {
      const src = path.join(tmp, `${format}.tar`);
      await writeArchive(src, parts().members);
      const dst = path.join(tmp, `${format}.upload`);
      fs.writeFileSync(dst, '');
      const pre = new ArchivePrelister(dst, fs.statSync(src).size);
      const used: number[] = [];
      try {
        await arrive(src, dst, pre, 4096);
        const withPre = await analyzeImageArchive(dst, {
          prelisted: (m) => {
            const l = pre.listing(m);
            if (l) used.push(m.offset);
            return l;
          },
        });
        expect(await analyzeImageArchive(src)).toEqual(withPre);
        // Both plain layers came from the prelister (the gzip one has no listing: it is streamed).
        expect(used).toHaveLength(2);
        expect(withPre.layers[1]?.changes.map((c) => `${c.change} ${c.path}`)).toEqual([
          'modified /srv/f001',
          'removed /srv/f002',
        ]);
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
