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
  /** Null until a child is added: most nodes are files, and a Map each was most of the allocation. */
  children: Map<string, DNode> | null;
  /** Part of a base layer's tree (baseFold), which stays as it was built: stacking copies it where it writes. */
  shared: boolean;
}

/** A path's sums once it is seen in a second layer. */
interface PathSums {
  cumulative: number;
  min: number;
  count: number;
}

const newNode = (size = 0, isDir = false, whiteout = false, shared = false): DNode => ({
  size,
  isDir,
  whiteout,
  children: null,
  shared,
});
const WH = '.wh.';

/*
 * Paths here are the scan's clean "a/b/c" form (no empty components) and
 * are walked with indexOf, without splitting them into arrays.
 */

const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

/**
 * dive's FileTree.AddPath for one layer's entries: placeholder parents are
 * created, an existing node's payload is replaced. Entries come in archive
 * order, mostly next to their siblings, so the last parent directory is
 * remembered (nodes are never removed from a layer tree: it stays valid).
 */
class LayerTreeBuilder {
  readonly root: DNode;
  private dirPath = '';
  private dir: DNode;

  /** `shared`: the tree is a base layer's, never written once built (see DNode.shared). */
  constructor(private readonly shared = false) {
    this.root = newNode(0, true, false, shared);
    this.dir = this.root;
  }

  add(path: string, size: number, isDir: boolean, whiteout: boolean): DNode {
    const slash = path.lastIndexOf('/');
    const parentLen = slash < 0 ? 0 : slash;
    // Same directory as the last entry: compared in place, without cutting the parent's string.
    if (parentLen !== this.dirPath.length || (parentLen > 0 && !path.startsWith(this.dirPath))) {
      const parent = path.slice(0, parentLen);
      let n = this.root;
      for (let start = 0; start < parent.length;) {
        let end = parent.indexOf('/', start);
        if (end < 0) end = parent.length;
        n = childOf(n, parent.slice(start, end), this.shared);
        start = end + 1;
      }
      this.dir = n;
      this.dirPath = parent;
    }
    const node = childOf(this.dir, path.slice(slash + 1), this.shared);
    node.size = size;
    node.isDir = isDir;
    node.whiteout = whiteout;
    return node;
  }
}

/** The node at `path` ('' is the root). */
function getNode(root: DNode, path: string): DNode | undefined {
  if (path === '') return root;
  let n: DNode | undefined = root;
  let start = 0;
  for (;;) {
    const slash = path.indexOf('/', start);
    n = n.children?.get(slash < 0 ? path.slice(start) : path.slice(start, slash));
    if (!n || slash < 0) return n;
    start = slash + 1;
  }
}

function layerTree(layer: DiveLayer): DNode {
  const t = new LayerTreeBuilder();
  for (const e of layer.entries) t.add(e.path, e.size, e.type === 'dir', false);
  for (const w of layer.whiteouts) {
    const i = w.lastIndexOf('/') + 1;
    t.add(`${w.slice(0, i)}${WH}${w.slice(i)}`, 0, false, true);
  }
  return t.root;
}

/** n itself, or (a base layer's node) a copy of it to write to: same payload, its own map of the same children. */
function own(n: DNode): DNode {
  if (!n.shared) return n;
  const c = newNode(n.size, n.isDir, n.whiteout);
  if (n.children) c.children = new Map(n.children);
  return c;
}

function copyTree(n: DNode): DNode {
  const c = newNode(n.size, n.isDir, n.whiteout);
  if (n.children) {
    c.children = new Map();
    for (const [k, v] of n.children) c.children.set(k, copyTree(v));
  }
  return c;
}

/** Children first (dive's VisitDepthChildFirst; the per-path sums do not depend on the order of names). */
function visitChildFirst(n: DNode, path: string, fn: (node: DNode, path: string) => void): void {
  if (n.children) for (const [name, child] of n.children) visitChildFirst(child, join(path, name), fn);
  if (path !== '') fn(n, path);
}

/** "a/.wh.b" → "a/b". */
function unwhite(path: string): string {
  const i = path.lastIndexOf('/') + 1;
  return path.startsWith(WH, i) ? path.slice(0, i) + path.slice(i + WH.length) : path;
}

/** The child `name` of n, a placeholder if it is new (what AddPath creates for a missing parent). */
function childOf(n: DNode, name: string, shared = false): DNode {
  let c = n.children?.get(name);
  if (!c) {
    c = newNode(0, false, false, shared);
    (n.children ??= new Map()).set(name, c);
  }
  return c;
}

/** childOf for writing: a shared child is replaced in n (n is not shared) by its own copy. */
function ownChildOf(n: DNode, name: string): DNode {
  const c = childOf(n, name);
  if (!c.shared) return c;
  const mine = own(c);
  n.children?.set(name, mine);
  return mine;
}

/**
 * dive's FileTree.Stack: the upper tree visited children first, names
 * sorted; whiteouts remove, everything else AddPath()s its payload. Walked
 * alongside the lower tree rather than by path from its root each time
 * (the same nodes: AddPath never replaces a node, and a whiteout removes a
 * sibling, never an ancestor).
 */
function stack(lower: DNode, upper: DNode): void {
  // `lower` is never shared (its caller made it its own): a base layer's nodes are copied where written.
  if (!upper.children) return;
  for (const name of [...upper.children.keys()].sort()) {
    const node = upper.children.get(name) as DNode;
    if (node.whiteout) {
      // Entries under a ".wh.x" directory are added first, as dive's visit does.
      if (node.children && node.children.size > 0) stack(ownChildOf(lower, name), node);
      lower.children?.delete(name.startsWith(WH) ? name.slice(WH.length) : name);
      continue;
    }
    const target = ownChildOf(lower, name);
    stack(target, node);
    target.size = node.size;
    target.isDir = node.isDir;
    target.whiteout = node.whiteout;
  }
}

function subtreeSize(n: DNode): number {
  let s = n.size;
  if (n.children) for (const c of n.children.values()) s += subtreeSize(c);
  return s;
}

/**
 * A bottom layer folded entry by entry while it is listed (see
 * DiveEfficiency.baseFold).
 */
export interface BaseLayerFold {
  /** The next entry of the layer, in archive order. */
  add(e: Pick<ScannedEntry, 'path' | 'size' | 'type'>): void;
  /**
   * The fold with the layer added, as `new DiveEfficiency().add(layer)`
   * leaves it; null when it cannot be (whiteouts, or not the entries added).
   * Only for layers without a path listed twice (the caller knows:
   * MergedTree.baseMerge).
   */
  finish(layer: DiveLayer): DiveEfficiency | null;
}

/**
 * The leaves of a base layer folded by baseFold, kept in its tree instead
 * of one `data` entry each: a path's sums are taken from there when an
 * upper layer first visits it.
 */
interface BaseLeaves {
  /** The layer's tree, never written (stacking copies what it changes: DNode.shared). */
  root: DNode;
  /** Sum of the sizes of the leaves no upper layer has visited yet (dive's minimum and cumulative for them). */
  size: number;
}

/**
 * dive's efficiency as a fold over the layers, bottom first: `add` each
 * layer as it becomes known (an upload's layers are added while it arrives,
 * prelist.ts), `result` at the end.
 */
export class DiveEfficiency {
  /**
   * Per path ("/a/b"): a path seen once is its size alone (a number: no
   * object per path), one seen again its running sums. With `base`, that
   * layer's leaves are not in here until an upper layer visits them.
   */
  private readonly data = new Map<string, number | PathSums>();
  private base: BaseLeaves | undefined;
  /** Layers 0..n-2 stacked (dive: StackTreeRange(trees, 0, idx-1), starting from a copy of layer 0). */
  private stacked: DNode | undefined;
  private previous: DNode | undefined;

  /**
   * Folds a bottom layer while it is listed: `add` builds its tree, nothing
   * per path. dive's visit of layer 0 notes each leaf (an entry no later
   * entry put a child under; a directory only if it stayed empty) once, with
   * its size: so the fold keeps the tree (`base`) and the leaves' total,
   * and an upper layer visiting a path takes its sums from the tree then
   * (nothing else reads them). Whiteouts are sized against the layer's own
   * tree once it is complete: a layer with any gives up (finish → null).
   */
  static baseFold(): BaseLayerFold {
    const builder = new LayerTreeBuilder(true);
    const nodes: DNode[] = [];
    return {
      add({ path, size, type }) {
        nodes.push(builder.add(path, size, type === 'dir', false));
      },
      finish(layer) {
        if (layer.whiteouts.length > 0 || nodes.length !== layer.entries.length) return null;
        let size = 0;
        for (const node of nodes) if (!node.children || node.children.size === 0) size += node.size;
        const e = new DiveEfficiency();
        e.base = { root: builder.root, size };
        e.stacked = builder.root;
        e.previous = builder.root;
        return e;
      },
    };
  }

  /** The sums of `key` so far: from `data`, or (once) a base layer's leaf taken out of its total. */
  private sums(key: string): number | PathSums | undefined {
    const d = this.data.get(key);
    if (d !== undefined || !this.base) return d;
    const node = getNode(this.base.root, key.slice(1));
    if (!node || node === this.base.root || (node.children && node.children.size > 0)) return undefined;
    this.base.size -= node.size;
    return node.size;
  }

  add(layer: DiveLayer): void {
    const tree = layerTree(layer);
    // dive stacks layer 0 onto a copy of itself. Without whiteouts that is
    // layer 0 unchanged, so its own tree serves (no copy, no self-stacking):
    // for a big base layer both were most of the fold after the last byte.
    if (!this.previous) this.stacked = layer.whiteouts.length === 0 ? tree : copyTree(tree);
    else if (this.stacked && this.stacked !== this.previous) {
      this.stacked = own(this.stacked);
      stack(this.stacked, this.previous);
    }
    this.previous = tree;
    const below = this.stacked;
    const data = this.data;
    visitChildFirst(tree, '', (node, path) => {
      if (node.children && node.children.size > 0) return; // leaves only
      const target = node.whiteout ? unwhite(path) : path;
      let size = node.size;
      if (node.whiteout) {
        const prev = below ? getNode(below, target) : undefined;
        size = prev?.isDir ? subtreeSize(prev) : 0;
      }
      const key = `/${target}`;
      const d = this.sums(key);
      if (d === undefined) data.set(key, size);
      else if (typeof d === 'number') data.set(key, { cumulative: d + size, min: Math.min(d, size), count: 2 });
      else {
        d.cumulative += size;
        d.min = Math.min(d.min, size);
        d.count++;
      }
    });
  }

  result(): EfficiencyResult {
    let minimum = this.base?.size ?? 0;
    let discovered = minimum;
    let wastedBytes = 0;
    const inefficiencies: Inefficiency[] = [];
    for (const [path, d] of this.data) {
      if (typeof d === 'number') {
        minimum += d;
        discovered += d;
        continue;
      }
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
}

export function diveEfficiency(layers: readonly DiveLayer[]): EfficiencyResult {
  const e = new DiveEfficiency();
  for (const l of layers) e.add(l);
  return e.result();
}
