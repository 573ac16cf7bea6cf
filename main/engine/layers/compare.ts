/**
 * Two images compared by their final file trees (each rebuilt from its
 * analysis' per-layer change lists, `MergedTree.replay`): the paths only the
 * second has (added), only the first has (removed), and those both have
 * with another type, size, mode, owner or link target (changed). Contents
 * are not compared (change lists carry no hashes), so a same-size rewrite
 * with the same metadata reads as unchanged; the images' layer digests tell
 * whether anything else differs.
 */
import type { FileChange } from './filetree';
import { MergedTree, type TreeEntry } from './filetree';

export interface ComparedFile {
  path: string;
  type: TreeEntry['type'];
  /** Size in the second image (the first for a removal). */
  size: number;
  /** Size in the first image, for a change. */
  before?: number;
}

export interface ImageComparison {
  added: ComparedFile[];
  changed: ComparedFile[];
  removed: ComparedFile[];
  /** Bytes of files in each final tree, and the second minus the first. */
  filesBytes: { from: number; to: number; delta: number };
}

type Layers = ReadonlyArray<{ changes: readonly Pick<FileChange, 'path' | 'change' | keyof TreeEntry>[] }>;

const same = (a: TreeEntry, b: TreeEntry): boolean =>
  a.type === b.type &&
  a.size === b.size &&
  a.mode === b.mode &&
  a.uid === b.uid &&
  a.gid === b.gid &&
  a.linkname === b.linkname;

const bytes = (list: readonly TreeEntry[]): number => list.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);

export function compareImages(from: Layers, to: Layers): ImageComparison {
  const a = MergedTree.replay(from as Parameters<typeof MergedTree.replay>[0]).list();
  const b = MergedTree.replay(to as Parameters<typeof MergedTree.replay>[0]).list();
  const before = new Map(a.map((e) => [e.path, e]));
  const added: ComparedFile[] = [];
  const changed: ComparedFile[] = [];
  for (const e of b) {
    const old = before.get(e.path);
    if (!old) added.push({ path: e.path, type: e.type, size: e.size });
    else if (!same(old, e)) changed.push({ path: e.path, type: e.type, size: e.size, before: old.size });
    before.delete(e.path);
  }
  const removed = [...before.values()].map((e) => ({ path: e.path, type: e.type, size: e.size }));
  const fromBytes = bytes(a);
  const toBytes = bytes(b);
  return { added, changed, removed, filesBytes: { from: fromBytes, to: toBytes, delta: toBytes - fromBytes } };
}
