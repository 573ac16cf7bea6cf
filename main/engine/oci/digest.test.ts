import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DigestTap, chainId, chainIds, parseDigest, sha256 } from './digest';
import { openDecompressed } from './compression';
import { buildUmociImage, hasTool, makeTmp, rmrf, run } from '../../testing/oci/helpers';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

/** ChainIDs computed by the shell, independently of our code. */
function shellChain(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    if (prev === undefined) out.push(d);
    else
      out.push(
        `sha256:${run('sh', ['-c', `printf '%s' "$0" | sha256sum | cut -d' ' -f1`, `${prev} ${d}`])
          .toString()
          .trim()}`,
      );
  }
  return out;
}

describe('digests', () => {
  it('hashes like sha256sum', () => {
    expect(sha256('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('validates digest strings', () => {
    expect(parseDigest(A)).toBe(A);
    for (const bad of [
      `sha256:${'A'.repeat(64)}`,
      `sha256:${'a'.repeat(63)}`,
      `sha512:${'a'.repeat(128)}`,
      'a'.repeat(64),
      `sha256:${'a'.repeat(64)}\n`,
      42,
      null,
    ]) {
      expect(() => parseDigest(bad)).toThrowError(expect.objectContaining({ code: 'DIGEST_INVALID' }) as Error);
    }
  });

  it('computes ChainIDs per the OCI spec', () => {
    expect(chainIds([A])).toEqual([A]);
    expect(chainId([A])).toBe(A);
    // ChainID(L1) = sha256("sha256:aaa… sha256:bbb…")
    expect(chainId([A, B])).toBe(sha256(`${A} ${B}`));
    expect(chainIds([A, B, C])).toEqual(shellChain([A, B, C]));
    expect(() => chainId([])).toThrowError(expect.objectContaining({ code: 'DIGEST_INVALID' }) as Error);
  });

  it.skipIf(!hasTool('umoci'))('matches the digests and diffIDs umoci writes', async () => {
    const tmp = makeTmp();
    try {
      const layout = path.join(tmp, 'img');
      const bundle = path.join(tmp, 'bundle');
      buildUmociImage(
        layout,
        bundle,
        [0, 1, 2].map((i) => (rootfs: string) => {
          fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
          fs.writeFileSync(path.join(rootfs, 'etc', `file${i}`), `layer ${i}\n`.repeat(1000 * (i + 1)));
        }),
      );
      const blob = (d: string): string => path.join(layout, 'blobs', 'sha256', d.slice(7));
      const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as {
        manifests: Array<{ digest: string }>;
      };
      const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0]?.digest ?? ''), 'utf8')) as {
        config: { digest: string };
        layers: Array<{ digest: string }>;
      };
      const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8')) as {
        rootfs: { diff_ids: string[] };
      };
      expect(manifest.layers).toHaveLength(3);
      const diffIds: string[] = [];
      for (const l of manifest.layers) {
        const blobTap = new DigestTap();
        const tarTap = new DigestTap();
        const { compression, stream } = await openDecompressed(blobTap.tap(fs.createReadStream(blob(l.digest))));
        expect(compression).toBe('gzip');
        for await (const _ of tarTap.tap(stream)) void _;
        expect(blobTap.digest()).toBe(l.digest);
        diffIds.push(tarTap.digest());
      }
      expect(diffIds).toEqual(config.rootfs.diff_ids);
      expect(chainIds(diffIds)).toEqual(shellChain(config.rootfs.diff_ids));
    } finally {
      rmrf(tmp);
    }
  });
});
