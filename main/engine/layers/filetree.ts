/**
 * The merged (overlay) view of an image's layers, and what each layer
 * changes in it. Whiteouts and opaque directories follow the image-spec:
 * they hide lower-layer content only, never entries of their own layer.
 */
import type { EntryAttrs, LayerScan, ScannedEntry } from './layer-scan';

export type ChangeKind = 'added' | 'modified' | 'removed';

export interface FileChange extends EntryAttrs {
  /** Absolute path in the container ("/etc/passwd"). */
  path: string;
  /** For removals, the size of everything removed under the path. */
  size: number;
  change: ChangeKind;
}

export interface LayerChangeStats {
  added: number;
  modified: number;
  removed: number;
  /** Entries present in the layer tar that change nothing (typically parent directories). */
  unmodified: number;
  addedBytes: number;
  modifiedBytes: number;
  removedBytes: number;
}

export interface LayerDiff {
  changes: FileChange[];
  stats: LayerChangeStats;
}

/** One entry of a cumulative tree listing. */
export interface TreeEntry extends EntryAttrs {
  path: string;
}

interface Node extends Omit<ScannedEntry, 'path'> {
  /** A parent directory the archive never described. */
  implicit: boolean;
  children?: Map<string, Node>;
}

function implicitDir(): Node {
  return {
    type: 'dir',
    size: 0,
    mode: 0o755,
    uid: 0,
    gid: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    implicit: true,
    children: new Map(),
  };
}

function fromEntry(e: ScannedEntry | TreeEntry): Node {
  const n: Node = {
    type: e.type,
    size: e.size,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    linkname: e.linkname,
    devmajor: 'devmajor' in e ? e.devmajor : 0,
    devminor: 'devminor' in e ? e.devminor : 0,
    implicit: false,
  };
  if ('hash' in e && e.hash !== undefined) n.hash = e.hash;
  if ('bodyOffset' in e && e.bodyOffset !== undefined) n.bodyOffset = e.bodyOffset;
  if (e.type === 'dir') n.children = new Map();
  return n;
}

/**
 * The "a/b" form of a path. Scanned paths already are: they are then
 * walked with indexOf, component by component, without building arrays.
 */
function clean(p: string): string {
  return p.startsWith('/') || p.endsWith('/') || p.includes('//')
    ? p
        .split('/')
        .filter((c) => c !== '')
        .join('/')
    : p;
}

function subtreeSize(n: Node): number {
  let total = n.size;
  if (n.children) for (const c of n.children.values()) total += subtreeSize(c);
  return total;
}

/** Everything but the content: what must match before content is worth comparing. */
function sameMeta(a: Node | ScannedEntry, b: Node | ScannedEntry): boolean {
  if (a.type !== b.type || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.size !== b.size) return false;
  return a.linkname === b.linkname && a.devmajor === b.devmajor && a.devminor === b.devminor;
}

/** Both bodies are the same bytes of the same archive file (a layer listed twice). */
function sameBody(a: Node | ScannedEntry, b: Node | ScannedEntry): boolean {
  return a.bodyOffset !== undefined && a.bodyOffset === b.bodyOffset;
}

function sameContent(a: Node, b: Node): boolean {
  if (!sameMeta(a, b)) return false;
  if (a.type === 'file') return sameBody(a, b) || (a.hash !== undefined && a.hash === b.hash);
  return true;
}

/**
 * The bottom layer merged entry by entry while it is listed (see
 * MergedTree.baseMerge).
 */
export interface BaseLayerMerge {
  /** The next entry of the layer, in archive order. */
  add(e: ScannedEntry): void;
  /**
   * The tree and the layer's diff, exactly as `new MergedTree().applyLayer(scan)`
   * would give them, `scan` being the finished listing whose entries were
   * added; null when they cannot be (a path listed twice, or not those entries).
   */
  finish(scan: Pick<LayerScan, 'entries'>): { tree: MergedTree; diff: LayerDiff } | null;
}

export class MergedTree {
  private readonly root: Node = implicitDir();

  /**
   * Merges a bottom layer while it is listed, so nothing of it is left for
   * after its last byte. On an empty tree every entry is an addition and
   * whiteouts and opaque markers hide nothing, so applyLayer's classifying
   * pass has nothing to compare against: each entry becomes its node and its
   * change as it comes. applyLayer sets nodes in the order of each path's
   * first header with its last header's node; without repeated paths that is
   * arrival order, so a repeat gives up (finish → null: merge the usual way).
   */
  static baseMerge(): BaseLayerMerge {
    const tree = new MergedTree();
    // Each entry's path and node, in arrival order (no path twice: see `repeated`).
    const paths: string[] = [];
    const nodes: Node[] = [];
    let repeated = false;
    // A path is seen when its node is in the tree and not implicit, or when a
    // child's path made its (non-directory) node an implicit directory: those
    // few are noted here (no set of every path).
    const displaced = new Set<string>();
    // The directory of the previous entry: archives list a directory's
    // entries together, so most entries skip the walk from the root (and the
    // component strings it cuts). A replaced node is never above the cached
    // directory (it is that directory's child), so the cache stays attached.
    let dirPath = '';
    let dir = tree.root.children as Map<string, Node>;
    return {
      add(e) {
        if (repeated) return;
        const path = e.path;
        const slash = path.lastIndexOf('/');
        const parentLen = slash < 0 ? 0 : slash;
        if (parentLen !== dirPath.length || (parentLen > 0 && !path.startsWith(dirPath))) {
          dirPath = path.slice(0, parentLen);
          dir = tree.dirFor(dirPath, displaced);
        }
        const name = slash < 0 ? path : path.slice(slash + 1);
        const old = dir.get(name);
        if (old && (!old.implicit || displaced.has(path))) {
          repeated = true;
          return;
        }
        const node = fromEntry(e);
        // As set(): a directory replacing a directory keeps what is below it.
        if (old?.children && node.children) node.children = old.children;
        dir.set(name, node);
        paths.push(path);
        nodes.push(node);
      },
      finish(scan) {
        if (repeated || nodes.length !== scan.entries.length) return null;
        const stats: LayerChangeStats = { ...NO_CHANGES, added: nodes.length };
        for (const n of nodes) stats.addedBytes += n.size;
        // The list (a record and an "/a/b" string per entry, sorted) is built
        // when first read: an upload's summary needs only the stats, and is
        // sent before the lists are packed (upload-analysis.ts).
        let changes: FileChange[] | undefined;
        const build = (): FileChange[] => nodes.map((n, i) => toChange(paths[i] as string, n, 'added')).sort(byPath);
        const diff = { stats } as LayerDiff;
        Object.defineProperty(diff, 'changes', { enumerable: true, get: () => (changes ??= build()) });
        return { tree, diff };
      },
    };
  }

  /**
   * The children of directory `dir` ("a/b", '' for the root), as parentOf
   * makes them: a missing or non-directory component becomes an implicit
   * directory (the paths of replaced explicit nodes are added to `displaced`).
   */
  private dirFor(dir: string, displaced: Set<string>): Map<string, Node> {
    let n = this.root;
    for (let start = 0; start < dir.length;) {
      let end = dir.indexOf('/', start);
      if (end < 0) end = dir.length;
      const c = dir.slice(start, end);
      let next = n.children?.get(c);
      if (!next || !next.children) {
        if (next && !next.implicit) displaced.add(dir.slice(0, end));
        next = implicitDir();
        n.children?.set(c, next);
      }
      start = end + 1;
      n = next;
    }
    return n.children as Map<string, Node>;
  }

  private get(path: string): Node | undefined {
    const p = clean(path);
    let n: Node | undefined = this.root;
    if (p === '') return n;
    for (let start = 0; ;) {
      const slash = p.indexOf('/', start);
      n = n.children?.get(slash < 0 ? p.slice(start) : p.slice(start, slash));
      if (!n || slash < 0) return n;
      start = slash + 1;
    }
  }

  private parentOf(path: string, create: boolean): { dir: Node; name: string } | undefined {
    const p = clean(path);
    if (p === '') return undefined;
    const last = p.lastIndexOf('/');
    const name = p.slice(last + 1);
    let n = this.root;
    for (let start = 0; start <= last;) {
      const slash = p.indexOf('/', start);
      const c = p.slice(start, slash);
      start = slash + 1;
      let next = n.children?.get(c);
      if (!next || !next.children) {
        if (!create) return undefined;
        // A missing (or non-directory) parent becomes a directory, as it must for the child to exist.
        next = implicitDir();
        n.children?.set(c, next);
      }
      n = next;
    }
    return { dir: n, name };
  }

  private remove(path: string): void {
    const p = this.parentOf(path, false);
    p?.dir.children?.delete(p.name);
  }

  private set(path: string, node: Node): void {
    const p = this.parentOf(path, true);
    if (!p) return;
    const old = p.dir.children?.get(p.name);
    // A directory replacing a directory keeps what the lower layers put in it.
    if (old?.children && node.children) node.children = old.children;
    p.dir.children?.set(p.name, node);
  }

  /**
   * Before applyLayer: hashes the regular files whose verdict depends on
   * their bytes (a lower file at the same path with the same metadata, and
   * a side without a hash) from where their scan noted them. Hashes are
   * stored on the entries and nodes. Returns how many bodies were hashed.
   */
  async hashCollisions(
    entries: readonly ScannedEntry[],
    hashAt: (offset: number, size: number) => Promise<string>,
  ): Promise<number> {
    let hashed = 0;
    for (const e of entries) {
      if (e.type !== 'file') continue;
      const lower = this.get(e.path);
      if (!lower || lower.implicit || !sameMeta(lower, e) || sameBody(lower, e)) continue;
      // Hash only when both sides can have a hash: otherwise the verdict is "modified" anyway.
      if (e.hash === undefined && e.bodyOffset === undefined) continue;
      if (lower.hash === undefined && lower.bodyOffset === undefined) continue;
      if (e.hash === undefined && e.bodyOffset !== undefined) {
        e.hash = await hashAt(e.bodyOffset, e.size);
        hashed++;
      }
      if (lower.hash === undefined && lower.bodyOffset !== undefined) {
        lower.hash = await hashAt(lower.bodyOffset, lower.size);
        hashed++;
      }
    }
    return hashed;
  }

  /** Applies one layer and returns what it changed. */
  applyLayer(scan: Pick<LayerScan, 'entries' | 'whiteouts' | 'opaques'>): LayerDiff {
    const adds = new Map<string, ScannedEntry>();
    for (const e of scan.entries) adds.set(e.path, e);
    const changes: FileChange[] = [];
    const removed = (path: string, n: Node): void => {
      changes.push({
        path: `/${path}`,
        type: n.type,
        size: subtreeSize(n),
        mode: n.mode,
        uid: n.uid,
        gid: n.gid,
        linkname: n.linkname,
        change: 'removed',
      });
      this.remove(path);
    };
    // Lower content under `dir` disappears unless this layer puts it back.
    const hideBelow = (dir: string, node: Node): void => {
      for (const [name, child] of [...(node.children ?? [])]) {
        const p = dir ? `${dir}/${name}` : name;
        if (!adds.has(p)) removed(p, child);
        else if (child.children) hideBelow(p, child);
      }
    };

    for (const w of scan.whiteouts) {
      const lower = this.get(w);
      if (!lower) continue;
      if (!adds.has(w)) removed(w, lower);
      else if (lower.children) hideBelow(w, lower);
    }
    for (const d of scan.opaques) {
      const lower = d === '' ? this.root : this.get(d);
      if (lower?.children) hideBelow(d, lower);
    }

    // Classify against the lower state first: adds of this layer must not
    // see each other (a child listed before its parent would make the
    // parent look pre-existing).
    let unmodified = 0;
    const nodes: Array<[string, Node]> = [];
    for (const [path, e] of adds) {
      const node = fromEntry(e);
      const lower = this.get(path);
      if (!lower) {
        changes.push(toChange(path, node, 'added'));
      } else {
        if (lower.children && !node.children) {
          // A non-directory replacing a directory takes its whole subtree away.
          for (const [name, child] of [...lower.children]) removed(`${path}/${name}`, child);
        }
        if (lower.implicit ? node.type === 'dir' : sameContent(lower, node)) unmodified++;
        else changes.push(toChange(path, node, 'modified'));
      }
      nodes.push([path, node]);
    }
    for (const [path, node] of nodes) this.set(path, node);

    changes.sort(byPath);
    const stats: LayerChangeStats = { ...NO_CHANGES, unmodified };
    for (const c of changes) {
      stats[c.change]++;
      stats[`${c.change}Bytes`] += c.size;
    }
    return { changes, stats };
  }

  /** Every path of the merged tree, sorted. */
  list(): TreeEntry[] {
    const out: TreeEntry[] = [];
    const walk = (prefix: string, n: Node): void => {
      const names = [...(n.children?.keys() ?? [])].sort();
      for (const name of names) {
        const child = n.children?.get(name);
        if (!child) continue;
        const p = `${prefix}/${name}`;
        out.push({
          path: p,
          type: child.type,
          size: child.size,
          mode: child.mode,
          uid: child.uid,
          gid: child.gid,
          linkname: child.linkname,
        });
        walk(p, child);
      }
    };
    walk('', this.root);
    return out;
  }

  /** Rebuilds a merged tree from per-layer change lists (layers 0..upTo). */
  static replay(diffs: readonly Pick<LayerDiff, 'changes'>[], upTo = diffs.length - 1): MergedTree {
    const t = new MergedTree();
    for (const diff of diffs.slice(0, upTo + 1)) {
      for (const c of diff.changes) {
        const path = c.path.slice(1);
        if (c.change === 'removed') t.remove(path);
        else t.set(path, fromEntry(c));
      }
    }
    return t;
  }
}

const byPath = (a: FileChange, b: FileChange): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

const NO_CHANGES: LayerChangeStats = {
  added: 0,
  modified: 0,
  removed: 0,
  unmodified: 0,
  addedBytes: 0,
  modifiedBytes: 0,
  removedBytes: 0,
};

function toChange(path: string, n: Node, change: ChangeKind): FileChange {
  const { type, size, mode, uid, gid, linkname } = n;
  return { path: `/${path}`, type, size, mode, uid, gid, linkname, change };
}
