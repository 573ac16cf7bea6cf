/** Test helpers for the image store: a fingerprint of the whole data root, small images. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Compression } from '../engine/oci/compression';
import type { TarWriteEntry } from '../engine/oci/tar/writer';
import { makeLayer, type LayerBlob } from './oci/image-archive';

/**
 * sha256 over every path under `root` with its type, mode, owner, size,
 * content (files), target (symlinks) and device: what "byte for byte
 * unchanged" means for a store. Directory mtimes are left out (creating and
 * removing a staging dir touches its parent's).
 */
export function treeHash(root: string): string {
  const h = crypto.createHash('sha256');
  const walk = (rel: string): void => {
    const names = fs.readdirSync(path.join(root, rel)).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      h.update(`${r}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.rdev}\0`);
      if (st.isFile()) {
        h.update(`${st.size}\0${st.mtimeMs}\0`);
        h.update(fs.readFileSync(p));
      } else if (st.isSymbolicLink()) {
        h.update(fs.readlinkSync(p));
      } else if (st.isDirectory()) {
        walk(r);
      }
      h.update('\n');
    }
  };
  if (fs.existsSync(root)) walk('');
  return h.digest('hex');
}

/** A layer with a few files named after `tag`, so layers of different images differ. */
export function smallLayer(
  tag: string,
  compression: Compression = 'gzip',
  extra: TarWriteEntry[] = [],
): Promise<LayerBlob> {
  return makeLayer(
    [
      { path: tag, type: 'dir', mode: 0o755 },
      { path: `${tag}/file`, body: `content of ${tag}\n`.repeat(50) },
      ...extra,
    ],
    compression,
    `RUN make ${tag}`,
  );
}
