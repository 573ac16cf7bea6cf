/**
 * Dead bytes: the bytes of regular files stored in a layer that the final
 * image cannot reach, because a later layer replaced the path, whited it
 * (or a directory above it) out, made a directory above it opaque, or put
 * a non-directory where a directory above it was. A file listed twice in
 * one layer is dead in its first copy (the later header wins).
 *
 * dive's wasted bytes count a path only when it appears in more than one
 * layer's tar, so `rm -rf /var/cache/x` in a later layer counts the
 * directory's whiteout (sized 0 for files under it that dive never sees
 * again) — the commonest waste — only partly; dead bytes are exactly what
 * a squash of the image would drop.
 *
 * Layers are walked top down, keeping what the layers above cover: exact
 * paths (any entry replaces the same path) and subtrees (whiteouts,
 * opaque directories' contents, non-directories).
 */
import type { LayerScan } from './layer-scan';

export type DeadBytesLayer = Pick<LayerScan, 'entries' | 'whiteouts' | 'opaques'> & {
  /**
   * No path is listed twice in this layer (the caller knows it: the base
   * layer merged as it arrived, MergedTree.baseMerge): no set of its paths
   * is needed to find a file's later copy.
   */
  uniquePaths?: boolean;
};

export interface DeadBytes {
  /** Sum over the layers. */
  total: number;
  /** Per layer, bottom first. */
  perLayer: number[];
}

export function deadBytes(layers: readonly DeadBytesLayer[]): DeadBytes {
  /** Paths an upper layer puts an entry at (the entry replaces the lower one). */
  const exact = new Set<string>();
  /** Paths whose whole subtree (the path included) upper layers hide. */
  const subtree = new Set<string>();
  /** Directories whose lower content (not the directory) an upper layer's opaque marker hides. */
  const below = new Set<string>();
  /** Whether upper layers hide everything under `dir` ('' is the root). */
  const underHidden = (dir: string): boolean => {
    for (let d = dir; d !== ''; d = d.slice(0, Math.max(0, d.lastIndexOf('/')))) {
      if (subtree.has(d) || below.has(d)) return true;
    }
    return below.has('');
  };
  // Entries come grouped by directory: the answer for the last parent is kept
  // (one slice per entry instead of one per ancestor; 100,000-file layers).
  let lastDir: string | undefined;
  let lastDirHidden = false;
  const hidden = (path: string): boolean => {
    if (exact.has(path) || subtree.has(path)) return true;
    const dirLen = Math.max(0, path.lastIndexOf('/'));
    // The parent compared in place: a string is cut only when it changes.
    if (lastDir === undefined || dirLen !== lastDir.length || !path.startsWith(lastDir)) {
      lastDir = path.slice(0, dirLen);
      lastDirHidden = underHidden(lastDir);
    }
    return lastDirHidden;
  };
  const perLayer = new Array<number>(layers.length).fill(0);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as DeadBytesLayer;
    // This layer's own later headers win over its earlier ones; its whiteouts
    // and opaque markers hide only lower layers' content, so they are added after.
    const seen = layer.uniquePaths ? undefined : new Set<string>();
    let dead = 0;
    for (let k = layer.entries.length - 1; k >= 0; k--) {
      const e = layer.entries[k]!;
      let twice = false;
      if (seen) {
        twice = seen.has(e.path);
        seen.add(e.path);
      }
      // An empty file adds nothing dead: no lookup for it.
      if (e.type === 'file' && e.size > 0 && (twice || hidden(e.path))) dead += e.size;
    }
    perLayer[i] = dead;
    if (i === 0) break; // nothing lies below the bottom layer
    lastDir = undefined; // the sets grow: answers kept for this layer no longer hold
    for (const e of layer.entries) {
      exact.add(e.path);
      if (e.type !== 'dir') subtree.add(e.path);
    }
    for (const w of layer.whiteouts) subtree.add(w);
    for (const d of layer.opaques) below.add(d);
  }
  return { total: perLayer.reduce((a, b) => a + b, 0), perLayer };
}
