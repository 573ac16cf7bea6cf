/**
 * File trees for the Layer inspector, built in the renderer from the
 * analysis' per-layer change lists (`layers.analyzeImage` /
 * `layers.analyzeFile`): no DOM, so the unit tests time them on 100,000 files.
 *
 * Two views of the selected layer N:
 * - `layerTree(changes of N)`: only what layer N adds, modifies and removes,
 *   with the parent directories it does not list shown unmarked (`implicit`);
 * - `cumulativeTree(layers, N)`: the merged (overlay) tree of layers 0..N,
 *   rebuilt by replaying the change lists the way the engine's
 *   `MergedTree.replay` does; entries layer N touched carry its marker and
 *   what layer N removed stays visible as a "removed" ghost (with the lower
 *   subtree it hid), as dive shows it.
 *
 * Then `filterTree` (structural sharing: untouched subtrees are reused) and
 * `flattenTree` (only expanded directories contribute rows) give the rows
 * the windowed list renders.
 */

export type ChangeKind = 'added' | 'modified' | 'removed';
export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One entry of a layer's change list (the contract's FileChange). */
export interface ChangeEntry {
  path: string;
  type: EntryKind;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  change: ChangeKind;
}

export interface TreeNode {
  name: string;
  /** Absolute path ("/etc/passwd"); "/" for the root. */
  path: string;
  type: EntryKind;
  /** The entry's own size (for a removal in a layer view: everything it removed). */
  size: number;
  /** Own size plus the children's totals (removed ghosts count only under a removed parent). */
  total: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  /** What the selected layer did to this entry; null when it is only context. */
  change: ChangeKind | null;
  /** A parent directory the layer does not list (layer view) or never described (merged view). */
  implicit: boolean;
  /** 0 for top-level entries, -1 for the root. */
  depth: number;
  /** Sorted by name; null for non-directories. */
  children: TreeNode[] | null;
  /** Entries below (all depths). */
  descendants: number;
}

// ── building ────────────────────────────────────────────────────────────────

/**
 * A node while the tree is built: the final TreeNode plus its children by
 * name. One object per entry (the builder allocates nothing else per file),
 * which matters at 100,000 files; `kids` is cleared once the tree is frozen.
 */
interface BuildNode extends TreeNode {
  kids: Map<string, BuildNode> | null;
}

function implicitDir(name: string, path: string): BuildNode {
  return {
    name,
    path,
    type: 'dir',
    size: 0,
    total: 0,
    mode: 0o755,
    uid: 0,
    gid: 0,
    linkname: '',
    change: null,
    implicit: true,
    depth: 0,
    children: null,
    descendants: 0,
    kids: new Map(),
  };
}

function fromChange(c: ChangeEntry, change: ChangeKind | null, name: string, path: string): BuildNode {
  return {
    name,
    path,
    type: c.type,
    size: c.size,
    total: 0,
    mode: c.mode,
    uid: c.uid,
    gid: c.gid,
    linkname: c.linkname,
    change,
    implicit: false,
    depth: 0,
    children: null,
    descendants: 0,
    kids: c.type === 'dir' ? new Map() : null,
  };
}

/** "/a/b" is normalized; "a/b", "/a//b", "/a/./b", "/a/../b", "/a/" are not (rare: cleaned by a slower path). */
function isNormalized(path: string): boolean {
  const n = path.length;
  if (n < 2 || path.charCodeAt(0) !== 47 || path.charCodeAt(n - 1) === 47) return false;
  // One pass: no empty, "." or ".." component.
  for (let i = 0; i < n; i++) {
    if (path.charCodeAt(i) !== 47) continue;
    const a = i + 1 < n ? path.charCodeAt(i + 1) : 47;
    if (a === 47) return false;
    if (a !== 46) continue;
    const b = i + 2 < n ? path.charCodeAt(i + 2) : 47;
    if (b === 47) return false;
    if (b === 46 && (i + 3 >= n || path.charCodeAt(i + 3) === 47)) return false;
  }
  return true;
}

function normalize(path: string): string | null {
  const out: string[] = [];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out.length ? `/${out.join('/')}` : null;
}

/**
 * A mutable tree keyed by name. Change lists are sorted by path, so
 * consecutive entries mostly share their parent: the last parent looked up
 * is cached and most inserts do one Map.set.
 */
class Builder {
  readonly root = implicitDir('', '/');
  private cachedDir: string | null = null;
  private cachedNode: BuildNode | null = null;

  /** The directory `parent` (normalized, "" for the root); missing or non-directory parents become directories. */
  private dirOf(parent: string, create: boolean): BuildNode | undefined {
    if (parent === this.cachedDir && this.cachedNode) return this.cachedNode;
    let n = this.root;
    let i = 1;
    while (i < parent.length) {
      let j = parent.indexOf('/', i);
      if (j < 0) j = parent.length;
      const c = parent.slice(i, j);
      let next = n.kids?.get(c);
      if (!next || !next.kids) {
        if (!create) return undefined;
        next = implicitDir(c, parent.slice(0, j));
        n.kids?.set(c, next);
      }
      n = next;
      i = j + 1;
    }
    this.cachedDir = parent;
    this.cachedNode = n;
    return n;
  }

  private static parts(path: string): { parent: string; name: string; clean: string } | null {
    const clean = isNormalized(path) ? path : normalize(path);
    if (clean === null) return null;
    const slash = clean.lastIndexOf('/');
    return { parent: clean.slice(0, slash), name: clean.slice(slash + 1), clean };
  }

  get(path: string): BuildNode | undefined {
    const p = Builder.parts(path);
    if (!p) return undefined;
    return this.dirOf(p.parent, false)?.kids?.get(p.name);
  }

  /** Sets an entry; a directory over a directory keeps what is below it (as overlay does). */
  set(c: ChangeEntry, change: ChangeKind | null): void {
    const p = Builder.parts(c.path);
    if (!p) return;
    const node = fromChange(c, change, p.name, p.clean);
    const dir = this.dirOf(p.parent, true) as BuildNode;
    const old = dir.kids?.get(p.name);
    if (old?.kids) {
      if (node.kids) node.kids = old.kids;
      else this.cachedDir = null; // a non-directory took a directory's place
    }
    dir.kids?.set(p.name, node);
  }

  delete(path: string): void {
    const p = Builder.parts(path);
    if (!p) return;
    this.dirOf(p.parent, false)?.kids?.delete(p.name);
    this.cachedDir = null;
  }
}

function markSubtree(n: BuildNode, change: ChangeKind): void {
  n.change = change;
  if (n.kids) for (const c of n.kids.values()) markSubtree(c, change);
}

const byName = (a: BuildNode, b: BuildNode): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Sorts children into arrays and fills in depths, totals and descendant counts. */
function freeze(n: BuildNode, depth: number): void {
  n.depth = depth;
  n.total = n.size;
  const kids = n.kids;
  if (!kids) return;
  const list = [...kids.values()];
  // Inserted in path order already, most of the time.
  for (let i = 1; i < list.length; i++) {
    if ((list[i - 1] as BuildNode).name > (list[i] as BuildNode).name) {
      list.sort(byName);
      break;
    }
  }
  let total = n.size;
  let descendants = list.length;
  for (const child of list) {
    freeze(child, depth + 1);
    descendants += child.descendants;
    // A removed ghost is not part of the merged tree's size, unless its parent is removed too.
    if (child.change !== 'removed' || n.change === 'removed') total += child.total;
  }
  n.children = list;
  n.total = total;
  n.descendants = descendants;
  n.kids = null;
}

function rootOf(b: Builder): TreeNode {
  freeze(b.root, -1);
  return b.root;
}

/** The tree of one layer's changes: every change marked, the parents it implies unmarked. */
export function layerTree(changes: readonly ChangeEntry[]): TreeNode {
  const b = new Builder();
  for (const c of changes) b.set(c, c.change);
  return rootOf(b);
}

/** What cumulativeTree needs of a layer analysis. */
export interface LayerLike {
  changes: readonly ChangeEntry[];
}

/**
 * The merged tree of layers 0..upTo, with layer `upTo`'s changes marked and
 * its removals kept as ghosts. Earlier layers replay as the engine's
 * MergedTree.replay does: removals delete, everything else sets.
 */
export function cumulativeTree(layers: readonly LayerLike[], upTo: number): TreeNode {
  const b = new Builder();
  const last = Math.min(upTo, layers.length - 1);
  for (let i = 0; i < last; i++) {
    for (const c of (layers[i] as LayerLike).changes) {
      if (c.change === 'removed') b.delete(c.path);
      else b.set(c, null);
    }
  }
  const top = layers[last];
  if (top) {
    // Removals first (the engine applies whiteouts before the layer's own entries).
    for (const c of top.changes) {
      if (c.change !== 'removed') continue;
      const lower = b.get(c.path);
      if (lower) markSubtree(lower, 'removed');
      else b.set(c, 'removed');
    }
    for (const c of top.changes) if (c.change !== 'removed') b.set(c, c.change);
  }
  return rootOf(b);
}

// ── filtering ───────────────────────────────────────────────────────────────

export type ChangeFilter = ChangeKind | 'unchanged';

export interface TreeFilter {
  /** Only entries the selected layer changed (and their parents as context). */
  changedOnly: boolean;
  /** Which markers to show; an empty or full set shows all. */
  kinds: ReadonlySet<ChangeFilter>;
  /** Compiled path pattern (see pattern.ts); null matches everything. */
  match: ((path: string, name: string) => boolean) | null;
}

export const ALL_KINDS: readonly ChangeFilter[] = ['added', 'modified', 'removed', 'unchanged'];

export function isFilterActive(f: TreeFilter): boolean {
  return f.changedOnly || f.match !== null || (f.kinds.size > 0 && f.kinds.size < ALL_KINDS.length);
}

export interface FilterResult {
  root: TreeNode;
  /** Entries that match the filter themselves (not counting their parents shown as context). */
  matches: number;
}

/**
 * Keeps the entries that match and the directories leading to them. A
 * directory that matches keeps only its matching children. Subtrees that are
 * kept whole are the same objects as in the input.
 */
export function filterTree(root: TreeNode, f: TreeFilter): FilterResult {
  if (!isFilterActive(f)) return { root, matches: root.descendants };
  const kinds = f.kinds.size === 0 ? null : f.kinds;
  const { changedOnly, match } = f;
  let matches = 0;
  const selfMatches = (n: TreeNode): boolean => {
    if (changedOnly && n.change === null) return false;
    if (kinds && !kinds.has(n.change ?? 'unchanged')) return false;
    return match === null || match(n.path, n.name);
  };
  // Returns the node (possibly a pruned copy) or null when nothing in it is kept.
  const visit = (n: TreeNode): TreeNode | null => {
    const self = selfMatches(n);
    if (self) matches++;
    if (!n.children) return self ? n : null;
    let kept: TreeNode[] | null = null;
    let descendants = 0;
    for (let i = 0; i < n.children.length; i++) {
      const c = n.children[i] as TreeNode;
      const v = visit(c);
      if (v !== c && kept === null) kept = n.children.slice(0, i);
      if (v) {
        if (kept) kept.push(v);
        descendants += 1 + v.descendants;
      }
    }
    if (kept === null) return self || n.children.length > 0 ? n : null; // every child kept whole
    if (!self && kept.length === 0) return null;
    return { ...n, children: kept, descendants };
  };
  const top = root.children ?? [];
  let kept: TreeNode[] | null = null;
  let descendants = 0;
  for (let i = 0; i < top.length; i++) {
    const c = top[i] as TreeNode;
    const v = visit(c);
    if (v !== c && kept === null) kept = top.slice(0, i);
    if (v) {
      if (kept) kept.push(v);
      descendants += 1 + v.descendants;
    }
  }
  return { root: kept === null ? root : { ...root, children: kept, descendants }, matches };
}

// ── expansion and flattening ────────────────────────────────────────────────

/**
 * Which directories are open: everything (or nothing) by default, except the
 * paths toggled away from the default. "Expand all" / "Collapse all" are O(1).
 */
export interface Expansion {
  openByDefault: boolean;
  toggled: ReadonlySet<string>;
}

export const ALL_OPEN: Expansion = { openByDefault: true, toggled: new Set() };
export const ALL_CLOSED: Expansion = { openByDefault: false, toggled: new Set() };

export function isOpen(e: Expansion, path: string): boolean {
  return e.openByDefault !== e.toggled.has(path);
}

export function toggle(e: Expansion, path: string, open?: boolean): Expansion {
  if (open !== undefined && isOpen(e, path) === open) return e;
  const toggled = new Set(e.toggled);
  if (toggled.has(path)) toggled.delete(path);
  else toggled.add(path);
  return { openByDefault: e.openByDefault, toggled };
}

/** The visible rows: a pre-order walk that descends only into open directories. */
export function flattenTree(root: TreeNode, e: Expansion): TreeNode[] {
  const out: TreeNode[] = [];
  const stack: TreeNode[] = [];
  const top = root.children ?? [];
  for (let i = top.length - 1; i >= 0; i--) stack.push(top[i] as TreeNode);
  while (stack.length > 0) {
    const n = stack.pop() as TreeNode;
    out.push(n);
    const kids = n.children;
    if (kids && kids.length > 0 && isOpen(e, n.path)) {
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as TreeNode);
    }
  }
  return out;
}

/** The path of the nearest visible parent row (for "collapse → go to parent"). */
export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Counts per change kind over the whole tree (for the legend). */
export function countChanges(root: TreeNode): Record<ChangeFilter, number> {
  const out: Record<ChangeFilter, number> = { added: 0, modified: 0, removed: 0, unchanged: 0 };
  const stack: TreeNode[] = [...(root.children ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as TreeNode;
    out[n.change ?? 'unchanged']++;
    if (n.children) for (const c of n.children) stack.push(c);
  }
  return out;
}
