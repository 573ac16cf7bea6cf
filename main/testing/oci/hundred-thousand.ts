/**
 * The 100,000-file base layer of issue 13's big analysis (the layers-large
 * e2e and the layer-listing bench list the same entries): /srv/dNN/sN/fNNNNN,
 * 100 × 10 directories of 100 empty files each, every directory before its files.
 */
import path from 'node:path';
import type { TarWriteEntry } from '../../engine/oci/tar/writer';

export const HUNDRED_THOUSAND = 100_000;

/** srv/dNN/sN/fNNNNN of file i. */
export const hundredThousandRel = (i: number): string =>
  `srv/d${String(Math.floor(i / 1000)).padStart(2, '0')}/s${Math.floor((i % 1000) / 100)}/f${String(i).padStart(5, '0')}`;

export function* hundredThousandEntries(): Generator<TarWriteEntry> {
  const mtime = 1700000000;
  yield { path: 'srv', type: 'dir', mode: 0o755, mtime };
  for (let i = 0; i < HUNDRED_THOUSAND; i++) {
    const rel = hundredThousandRel(i);
    if (i % 1000 === 0) yield { path: path.posix.dirname(path.posix.dirname(rel)), type: 'dir', mode: 0o755, mtime };
    if (i % 100 === 0) yield { path: path.posix.dirname(rel), type: 'dir', mode: 0o755, mtime };
    yield { path: rel, body: '', mode: 0o644, mtime };
  }
}
