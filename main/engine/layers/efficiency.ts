/**
 * Image efficiency exactly as dive computes it, so the numbers match what
 * users know from `dive`:
 *   wagoodman/dive dive/filetree/efficiency.go  (Efficiency)
 *   wagoodman/dive dive/image/image.go          (Analyze: WastedBytes, UserSizeBytes)
 *   wagoodman/dive dive/filetree/file_tree.go   (AddPath, Stack, StackTreeRange)
 *
 * Per layer, dive builds a tree from the tar entries (whiteouts stay nodes
 * named ".wh.X"; ".wh..wh..*" names are dropped; parents the tar does not
 * list are empty placeholders) and visits its leaves. Each leaf adds to its
 * path's cumulative size: a file or dir its own size; a whiteout the size of
 * the whole subtree it removes if that was a directory in the layers below
 * (0 if it was a file). Then:
 *   efficiency   = sum(min size seen per path) / sum(cumulative size per path)   (1 if the sum is 0)
 *   wasted bytes = sum of cumulative sizes of paths seen more than once
 * Two deliberate deviations, both in cases where dive misbehaves: a whiteout
 * of a path absent below counts 0 (dive aborts that layer's visit and adds a
 * -1 minimum), and layer 0's whiteouts are sized against layer 0 itself, as
 * dive's StackTreeRange(trees, 0, -1) does.
 */
import type { ScannedEntry } from './layer-scan';

export interface Inefficiency {
  /** Absolute path ("/var/cache/apt/pkgcache.bin"). */
  path: string;
  /** Layers in which the path appears. */
  count: number;
  /** Cumulative size over those layers (dive's CumulativeSize). */
  totalSize: number;
}

export interface EfficiencyResult {
  score: number;
  wastedBytes: number;
  /** Largest first (dive's UI order). */
  inefficiencies: Inefficiency[];
}

/** What dive's per-layer tree is built from. */
export interface DiveLayer {
  entries: readonly Pick<ScannedEntry, 'path' | 'size' | 'type'>[];
  /** Whiteout targets ("dir/name"); dive keeps them as nodes "dir/.wh.name". */
  whiteouts: readonly string[];
}

interface DNode {
  size: number;
  isDir: boolean;
  whiteout: boolean;
  children: Map<string, DNode>;
}

const newNode = (size = 0, isDir = false, whiteout = false): DNode => ({ size, isDir, whiteout, children: new Map() });
const WH = '.wh.';

/** dive's FileTree.AddPath: creates placeholder parents, replaces the payload of an existing node. */
function addPath(root: DNode, comps: readonly string[], payload: Omit<DNode, 'children'>): void {
  let n = root;
  comps.forEach((c, i) => {
    let next = n.children.get(c);
    if (!next) {
      next = newNode();
      n.children.set(c, next);
    }
    if (i === comps.length - 1) {
      next.size = payload.size;
      next.isDir = payload.isDir;
      next.whiteout = payload.whiteout;
    }
    n = next;
  });
}

function getNode(root: DNode, comps: readonly string[]): DNode | undefined {
  let n: DNode | undefined = root;
  for (const c of comps) {
    n = n.children.get(c);
    if (!n) return undefined;
  }
  return n;
}

function layerTree(layer: DiveLayer): DNode {
  const root = newNode(0, true);
  const items: Array<{ comps: string[]; size: number; isDir: boolean; whiteout: boolean }> = [];
  for (const e of layer.entries)
    items.push({ comps: e.path.split('/'), size: e.size, isDir: e.type === 'dir', whiteout: false });
  for (const w of layer.whiteouts) {
    const comps = w.split('/');
    comps[comps.length - 1] = `${WH}${comps[comps.length - 1] ?? ''}`;
    items.push({ comps, size: 0, isDir: false, whiteout: true });
  }
  for (const it of items) addPath(root, it.comps, { size: it.size, isDir: it.isDir, whiteout: it.whiteout });
  return root;
}

function copyTree(n: DNode): DNode {
  const c = newNode(n.size, n.isDir, n.whiteout);
  for (const [k, v] of n.children) c.children.set(k, copyTree(v));
  return c;
}

/** Children-first, names sorted: dive's VisitDepthChildFirst. */
function visitChildFirst(n: DNode, comps: string[], fn: (node: DNode, comps: string[]) => void): void {
  for (const name of [...n.children.keys()].sort()) {
    const child = n.children.get(name);
    if (child) visitChildFirst(child, [...comps, name], fn);
  }
  if (comps.length > 0) fn(n, comps);
}

const unwhite = (comps: readonly string[]): string[] => {
  const out = [...comps];
  const last = out[out.length - 1];
  if (last?.startsWith(WH)) out[out.length - 1] = last.slice(WH.length);
  return out;
};

/** dive's FileTree.Stack: whiteouts remove, everything else AddPath()s its payload. */
function stack(lower: DNode, upper: DNode): void {
  visitChildFirst(upper, [], (node, comps) => {
    if (node.whiteout) {
      const target = unwhite(comps);
      const parent = getNode(lower, target.slice(0, -1));
      parent?.children.delete(target[target.length - 1] ?? '');
    } else {
      addPath(lower, comps, node);
    }
  });
}

function subtreeSize(n: DNode): number {
  let s = n.size;
  for (const c of n.children.values()) s += subtreeSize(c);
  return s;
}

export function diveEfficiency(layers: readonly DiveLayer[]): EfficiencyResult {
  const trees = layers.map(layerTree);
  const data = new Map<string, { cumulative: number; min: number; count: number }>();
  let stacked: DNode | undefined;

  trees.forEach((tree, idx) => {
    // Layers 0..idx-1 stacked (dive: StackTreeRange(trees, 0, idx-1), starting from a copy of layer 0).
    if (idx === 0) stacked = copyTree(tree);
    else if (stacked) stack(stacked, trees[idx - 1] as DNode);
    const below = stacked;
    visitChildFirst(tree, [], (node, comps) => {
      if (node.children.size > 0) return; // leaves only
      const pathComps = node.whiteout ? unwhite(comps) : comps;
      let size = node.size;
      if (node.whiteout) {
        const prev = below ? getNode(below, pathComps) : undefined;
        size = prev?.isDir ? subtreeSize(prev) : 0;
      }
      const key = `/${pathComps.join('/')}`;
      const d = data.get(key);
      if (!d) data.set(key, { cumulative: size, min: size, count: 1 });
      else {
        d.cumulative += size;
        d.min = Math.min(d.min, size);
        d.count++;
      }
    });
  });

  let minimum = 0;
  let discovered = 0;
  let wastedBytes = 0;
  const inefficiencies: Inefficiency[] = [];
  for (const [path, d] of data) {
    minimum += d.min;
    discovered += d.cumulative;
    if (d.count >= 2) {
      wastedBytes += d.cumulative;
      inefficiencies.push({ path, count: d.count, totalSize: d.cumulative });
    }
  }
  inefficiencies.sort((a, b) => b.totalSize - a.totalSize || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { score: discovered === 0 ? 1 : minimum / discovered, wastedBytes, inefficiencies };
}
