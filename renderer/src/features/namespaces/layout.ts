/**
 * The automatic layout (no layout library): layered by user-namespace
 * ownership, then a grid.
 *
 * - Every user namespace heads a block (a frame). A child user namespace's
 *   block sits inside its parent's, below the parent's grid, so the frames
 *   nest like the ownership tree; sibling blocks are packed in shelves.
 * - Under its header, a block holds the namespaces its user namespace owns
 *   as a grid: one column per type (mnt, pid, net, uts, ipc, cgroup, time —
 *   only the types present), one row per "who made them": the host's
 *   initial ones first, then one row per container, then one per process
 *   (keyed by the lowest pid in the namespace, so a sandboxed service's
 *   namespaces line up), then those only a bind mount or fd holds.
 * - A container's node sits to the left of its row; namespaces are never
 *   expanded into processes (the count is on the node), so a 2,000-process
 *   host is ~500 nodes, not 16,000.
 * - Nodes do not move (the view pans and zooms), so edges are routed here as
 *   orthogonal polylines through the gaps: membership edges leave a
 *   container to the right and drop into each namespace from the gap above
 *   its row; parent edges run up a lane right of their column; owner edges
 *   run up the block's left margin into the header.
 *
 * Pure: positions only, in flow coordinates (y down).
 */
import type { Membership, VisibleNamespace } from './model';
import { GRID_TYPES, type ContainerRef, type Namespace, type NamespaceType } from './types';

export const SIZE = {
  nsW: 176,
  nsH: 48,
  ctrW: 184,
  ctrH: 48,
  /** Between type columns: room for a parent lane (left part) and a drop lane (right part). */
  colGap: 40,
  /** Between rows: the lane membership edges travel along. */
  rowGap: 30,
  /** Between namespaces of the same type in one row. */
  stackGap: 10,
  /** Between the container column and the first type column. */
  ctrGap: 44,
  /** Frame padding; the owner lane runs in its middle. */
  pad: 22,
  /** Frame label line. */
  labelH: 20,
  /** Header (user namespace) to the grid. */
  headerGap: 34,
  /** Between nested blocks, and between a grid and the blocks under it. */
  blockGap: 34,
  /** Child blocks wrap to a new shelf past this width (or the grid's, if wider). */
  shelfW: 1500,
} as const;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends Rect {
  /** Block key (the owning user namespace's id, or "unknown"). */
  block: string;
  /** Row index in the block's grid; -1 for a block's header. */
  row: number;
  /** Position in its cell's stack (0 = top). */
  stack: number;
}

export interface Frame extends Rect {
  key: string;
  label: string;
  depth: number;
  header: string | null;
}

interface BlockGeo {
  key: string;
  /** The enclosing block (the parent user namespace's), null at the top level. */
  parent: string | null;
  frame: Rect;
  /** Top of each grid row (flow coordinates). */
  rowTops: number[];
  /** The vertical lane between the container column and the grid; null without containers. */
  ctrLaneX: number | null;
  header: string | null;
}

export interface Layout {
  /** Namespace id → its box. */
  namespaces: Map<string, PlacedNode>;
  /** Container id → its box. */
  containers: Map<string, PlacedNode>;
  /** Outer blocks first (draw order). */
  frames: Frame[];
  blocks: Map<string, BlockGeo>;
  width: number;
  height: number;
  /** Nodes worth fitting the first view to: the root header, the host row, the container rows near it. */
  focus: string[];
}

export interface LayoutInput {
  namespaces: readonly VisibleNamespace[];
  containers: readonly ContainerRef[];
  membership: Membership;
}

// ── rows ────────────────────────────────────────────────────────────────────

type RowKey = string;

function minPid(ns: Namespace): number | null {
  let min: number | null = null;
  for (const p of ns.processes) if (p.via !== 'children' && (min === null || p.pid < min)) min = p.pid;
  if (min === null) for (const p of ns.processes) if (min === null || p.pid < min) min = p.pid;
  return min;
}

function rowKeyOf(ns: Namespace): RowKey {
  if (ns.initial) return 'host';
  if (ns.container !== null) return `ctr:${ns.container}`;
  const pid = minPid(ns);
  return pid === null ? 'held' : `pid:${pid}`;
}

function rowRank(key: RowKey, ctrOrder: Map<string, number>): [number, number] {
  if (key === 'host') return [0, 0];
  if (key.startsWith('ctr:')) return [1, ctrOrder.get(key.slice(4)) ?? Number.MAX_SAFE_INTEGER];
  if (key.startsWith('pid:')) return [2, Number(key.slice(4))];
  return [3, 0];
}

// ── blocks ──────────────────────────────────────────────────────────────────

interface Block {
  key: string;
  header: Namespace | null;
  items: Namespace[];
  children: Block[];
  parent: Block | null;
  containers: ContainerRef[];
  depth: number;
  // measured (block-local; the frame's top-left is 0,0)
  w: number;
  h: number;
  local: Map<string, Rect & { row: number; stack: number; kind: 'ns' | 'ctr' }>;
  rowTops: number[];
  ctrLaneX: number | null;
  childAt: Map<Block, Point>;
}

function newBlock(key: string, header: Namespace | null): Block {
  return {
    key,
    header,
    items: [],
    children: [],
    parent: null,
    containers: [],
    depth: 0,
    w: 0,
    h: 0,
    local: new Map(),
    rowTops: [],
    ctrLaneX: null,
    childAt: new Map(),
  };
}

const UNKNOWN = 'unknown';

function buildBlocks(input: LayoutInput): { roots: Block[]; all: Map<string, Block> } {
  const all = new Map<string, Block>();
  const visible = new Map(input.namespaces.map((v) => [v.ns.id, v.ns]));
  for (const { ns } of input.namespaces) if (ns.type === 'user') all.set(ns.id, newBlock(ns.id, ns));
  for (const { ns } of input.namespaces) {
    if (ns.type === 'user') continue;
    const key = ns.ownerUserNs ?? UNKNOWN;
    let b = all.get(key);
    if (!b) all.set(key, (b = newBlock(key, null)));
    b.items.push(ns);
  }
  // Parents: a user namespace's block goes into its parent's (when that one is shown).
  for (const b of all.values()) {
    const parentId = b.header?.parent ?? null;
    if (parentId === null || parentId === b.key) continue;
    const p = all.get(parentId);
    if (p && visible.has(parentId)) b.parent = p;
  }
  // Break cycles (a kernel never reports one; a hand-made graph might).
  for (const b of all.values()) {
    const seen = new Set<Block>([b]);
    for (let p = b.parent; p; p = p.parent) {
      if (seen.has(p)) {
        b.parent = null;
        break;
      }
      seen.add(p);
    }
  }
  const roots: Block[] = [];
  for (const b of all.values()) (b.parent ? b.parent.children : roots).push(b);
  const rank = (b: Block) => (b.header?.initial ? 0 : b.key === UNKNOWN ? 3 : b.header ? (b.header.hidden ? 2 : 1) : 2);
  const byRank = (a: Block, b: Block) => rank(a) - rank(b) || inodeOf(a.key) - inodeOf(b.key);
  roots.sort(byRank);
  const setDepth = (b: Block, d: number) => {
    b.depth = d;
    b.children.sort(byRank);
    for (const c of b.children) setDepth(c, d + 1);
  };
  for (const r of roots) setDepth(r, 0);

  // Containers: in the block that owns the namespaces they have to themselves,
  // else the block of their user namespace, else the first root.
  if (input.containers.length > 0) {
    if (roots.length === 0) {
      const b = newBlock(UNKNOWN, null);
      all.set(UNKNOWN, b);
      roots.push(b);
    }
    for (const c of input.containers) {
      const mine = input.membership.byContainer.get(c.id) ?? new Set<string>();
      let home: Block | undefined;
      for (const id of mine) {
        const ns = visible.get(id);
        if (ns && ns.type !== 'user' && ns.container === c.id) {
          home = all.get(ns.ownerUserNs ?? UNKNOWN);
          if (home) break;
        }
      }
      if (!home) {
        for (const id of mine) {
          const ns = visible.get(id);
          if (ns?.type === 'user') home = all.get(ns.id);
          if (home) break;
        }
      }
      (home ?? roots[0]!).containers.push(c);
    }
  }
  return { roots, all };
}

function inodeOf(key: string): number {
  const i = key.indexOf(':');
  return i < 0 ? Number.MAX_SAFE_INTEGER : Number(key.slice(i + 1));
}

function measure(b: Block): void {
  for (const c of b.children) measure(c);
  const S = SIZE;
  const x0: number = S.pad;
  let y: number = S.labelH + S.pad / 2;
  let right = x0;
  if (b.header) {
    b.local.set(b.header.id, { x: x0, y, w: S.nsW, h: S.nsH, row: -1, stack: 0, kind: 'ns' });
    right = x0 + S.nsW;
    y += S.nsH + S.headerGap;
  }

  // Grid: rows by who made them, columns by type.
  const ctrOrder = new Map(b.containers.map((c, i) => [c.id, i]));
  const rows = new Map<RowKey, Map<NamespaceType, Namespace[]>>();
  const cell = (key: RowKey, type: NamespaceType): Namespace[] => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = new Map()));
    let c = r.get(type);
    if (!c) r.set(type, (c = []));
    return c;
  };
  const types = new Set<NamespaceType>();
  for (const ns of b.items) {
    cell(rowKeyOf(ns), ns.type).push(ns);
    types.add(ns.type);
  }
  for (const c of b.containers) if (!rows.has(`ctr:${c.id}`)) rows.set(`ctr:${c.id}`, new Map());
  const cols = GRID_TYPES.filter((t) => types.has(t));
  const hasCtr = b.containers.length > 0;
  const gridX = x0 + (hasCtr ? S.ctrW + S.ctrGap : 0);
  const colX = new Map(cols.map((t, i) => [t, gridX + i * (S.nsW + S.colGap)]));
  b.ctrLaneX = hasCtr ? x0 + S.ctrW + S.ctrGap / 2 : null;

  const keys = [...rows.keys()].sort((p, q) => {
    const [a1, a2] = rowRank(p, ctrOrder);
    const [b1, b2] = rowRank(q, ctrOrder);
    return a1 - b1 || a2 - b2 || (p < q ? -1 : p > q ? 1 : 0);
  });
  const ctrById = new Map(b.containers.map((c) => [c.id, c]));
  keys.forEach((key, row) => {
    const cells = rows.get(key)!;
    b.rowTops.push(y);
    let rowH = 0;
    for (const [type, list] of cells) {
      list.sort((p, q) => p.inode - q.inode);
      const x = colX.get(type)!;
      list.forEach((ns, stack) => {
        b.local.set(ns.id, { x, y: y + stack * (S.nsH + S.stackGap), w: S.nsW, h: S.nsH, row, stack, kind: 'ns' });
      });
      rowH = Math.max(rowH, list.length * (S.nsH + S.stackGap) - S.stackGap);
      right = Math.max(right, x + S.nsW);
    }
    const ctr = key.startsWith('ctr:') ? ctrById.get(key.slice(4)) : undefined;
    if (ctr) {
      b.local.set(`ctr:${ctr.id}`, { x: x0, y, w: S.ctrW, h: S.ctrH, row, stack: 0, kind: 'ctr' });
      rowH = Math.max(rowH, S.ctrH);
      right = Math.max(right, x0 + S.ctrW);
    }
    y += rowH + S.rowGap;
  });
  if (keys.length > 0) y -= S.rowGap;
  else if (b.header) y -= S.headerGap;

  // Child blocks: shelves under the grid.
  if (b.children.length > 0) {
    const maxW = Math.max(S.shelfW, right - x0);
    let cx = x0;
    let shelfTop = y + S.blockGap;
    let shelfH = 0;
    for (const c of b.children) {
      if (cx > x0 && cx + c.w > x0 + maxW) {
        cx = x0;
        shelfTop += shelfH + S.blockGap;
        shelfH = 0;
      }
      b.childAt.set(c, { x: cx, y: shelfTop });
      cx += c.w + S.blockGap;
      shelfH = Math.max(shelfH, c.h);
      right = Math.max(right, cx - S.blockGap);
    }
    y = shelfTop + shelfH;
  }
  b.w = right + S.pad;
  b.h = y + S.pad;
}

function frameLabel(b: Block): string {
  if (b.header) {
    const tags = [b.header.initial ? 'initial' : null, b.header.hidden ? 'hidden' : null].filter(Boolean);
    return `owned by user ${b.header.inode}${tags.length ? ` (${tags.join(', ')})` : ''}`;
  }
  if (b.key === UNKNOWN) return 'owner unknown';
  return `owned by ${b.key} (not shown)`;
}

// ── layout ──────────────────────────────────────────────────────────────────

export function layoutGraph(input: LayoutInput): Layout {
  const { roots } = buildBlocks(input);
  for (const r of roots) measure(r);
  const out: Layout = {
    namespaces: new Map(),
    containers: new Map(),
    frames: [],
    blocks: new Map(),
    width: 0,
    height: 0,
    focus: [],
  };
  const place = (b: Block, ox: number, oy: number) => {
    out.frames.push({
      key: b.key,
      label: frameLabel(b),
      depth: b.depth,
      header: b.header?.id ?? null,
      x: ox,
      y: oy,
      w: b.w,
      h: b.h,
    });
    out.blocks.set(b.key, {
      key: b.key,
      parent: b.parent?.key ?? null,
      frame: { x: ox, y: oy, w: b.w, h: b.h },
      rowTops: b.rowTops.map((t) => t + oy),
      ctrLaneX: b.ctrLaneX === null ? null : b.ctrLaneX + ox,
      header: b.header?.id ?? null,
    });
    for (const [id, r] of b.local) {
      const node: PlacedNode = { x: r.x + ox, y: r.y + oy, w: r.w, h: r.h, block: b.key, row: r.row, stack: r.stack };
      if (r.kind === 'ctr') out.containers.set(id.slice(4), node);
      else out.namespaces.set(id, node);
    }
    for (const c of b.children) {
      const at = b.childAt.get(c)!;
      place(c, ox + at.x, oy + at.y);
    }
  };
  let y = 0;
  for (const r of roots) {
    place(r, 0, y);
    out.width = Math.max(out.width, r.w);
    y += r.h + SIZE.blockGap;
  }
  out.height = Math.max(0, y - SIZE.blockGap);
  out.focus = focusOf(out, roots[0]);
  return out;
}

/** The first rows of the first block, up to ~40 nodes and ~8 rows: a readable first view on a big host. */
function focusOf(l: Layout, root: Block | undefined): string[] {
  if (!root) return [];
  const geo = l.blocks.get(root.key)!;
  const maxRow = Math.min(geo.rowTops.length - 1, 7);
  const ids: string[] = [];
  for (const [id, n] of l.namespaces) if (n.block === root.key && n.row <= maxRow) ids.push(id);
  for (const [id, n] of l.containers) if (n.block === root.key && n.row <= maxRow) ids.push(`ctr:${id}`);
  return ids.length > 60 ? ids.slice(0, 60) : ids;
}

// ── edge routes ─────────────────────────────────────────────────────────────

export type EdgeKind = 'membership' | 'parent' | 'owner';

const cx = (r: Rect) => r.x + r.w / 2;
const cy = (r: Rect) => r.y + r.h / 2;

/**
 * An orthogonal route (start, bends, end) for an edge, or null when the
 * layout has no lane for it (ends in different blocks): then the view draws
 * a plain curve.
 */
export function routeEdge(l: Layout, kind: EdgeKind, source: string, target: string): Point[] | null {
  if (kind === 'membership') {
    const c = l.containers.get(source);
    const n = l.namespaces.get(target);
    if (!c || !n) return null;
    if (c.block !== n.block) return crossRoute(l, c, 'ctr', n, 0);
    const geo = l.blocks.get(c.block)!;
    const lx = geo.ctrLaneX;
    if (lx === null) return null;
    const start = { x: c.x + c.w, y: cy(c) };
    if (n.row < 0) {
      const laneY = n.y + n.h + 10;
      return [start, { x: lx, y: start.y }, { x: lx, y: laneY }, { x: cx(n), y: laneY }, { x: cx(n), y: n.y + n.h }];
    }
    const laneY = (geo.rowTops[n.row] ?? n.y) - SIZE.rowGap / 2;
    if (n.stack === 0) {
      return [start, { x: lx, y: start.y }, { x: lx, y: laneY }, { x: cx(n), y: laneY }, { x: cx(n), y: n.y }];
    }
    const dropX = n.x - 12;
    return [
      start,
      { x: lx, y: start.y },
      { x: lx, y: laneY },
      { x: dropX, y: laneY },
      { x: dropX, y: cy(n) },
      { x: n.x, y: cy(n) },
    ];
  }
  const n = l.namespaces.get(source);
  const p = l.namespaces.get(target);
  if (!n || !p) return null;
  if (kind === 'parent') {
    if (n.row >= 0 && p.row >= 0 && n.block === p.block && n.x === p.x) {
      const lane = n.x + n.w + 12;
      const start = { x: n.x + n.w, y: cy(n) };
      const end = { x: p.x + p.w, y: cy(p) };
      return [start, { x: lane, y: start.y }, { x: lane, y: end.y }, end];
    }
    if (n.row < 0 && p.row < 0) {
      // A user namespace's header to its parent's: up the parent block's left margin.
      const lane = p.x - SIZE.pad / 2;
      const start = { x: n.x, y: cy(n) };
      const end = { x: p.x, y: cy(p) };
      return [start, { x: lane, y: start.y }, { x: lane, y: end.y }, end];
    }
    return n.block !== p.block ? crossRoute(l, n, 'ns', p, -6) : null;
  }
  // owner: into the header of the node's own block, up that block's left margin.
  const geo = l.blocks.get(n.block);
  if (geo && n.block !== p.block) return crossRoute(l, n, 'ns', p, 6);
  if (!geo || geo.header !== target || n.row < 0) return null;
  const lane = p.x - SIZE.pad / 2;
  const end = { x: p.x, y: cy(p) };
  if (n.stack === 0) {
    const laneY = (geo.rowTops[n.row] ?? n.y) - SIZE.rowGap / 2 + 6;
    const start = { x: cx(n) + 10, y: n.y };
    return [start, { x: start.x, y: laneY }, { x: lane, y: laneY }, { x: lane, y: end.y }, end];
  }
  const start = { x: n.x, y: cy(n) + 6 };
  const sideX = n.x - 6;
  const laneY = (geo.rowTops[n.row] ?? n.y) - SIZE.rowGap / 2 + 6;
  return [start, { x: sideX, y: start.y }, { x: sideX, y: laneY }, { x: lane, y: laneY }, { x: lane, y: end.y }, end];
}

function isAncestor(l: Layout, ancestor: string, key: string): boolean {
  for (let b = l.blocks.get(key)?.parent ?? null; b !== null; b = l.blocks.get(b)?.parent ?? null) {
    if (b === ancestor) return true;
  }
  return false;
}

/**
 * From a node in a nested block to one in an enclosing block: out to the
 * source block's left margin, up to the gap above its frame, left to the
 * target block's margin, up to the gap above the target's row (or level with
 * a header), then across and into the target. `offset` keeps the kinds'
 * lanes apart where they run side by side.
 */
function crossRoute(l: Layout, s: PlacedNode, kind: 'ns' | 'ctr', t: PlacedNode, offset: number): Point[] | null {
  if (!isAncestor(l, t.block, s.block)) return null;
  const from = l.blocks.get(s.block)!;
  const to = l.blocks.get(t.block)!;
  const xs = from.frame.x + SIZE.pad / 2 + offset / 3;
  const xt = to.frame.x + SIZE.pad / 2 + offset / 3;
  const pts: Point[] = [];
  if (kind === 'ctr' || s.row < 0) {
    pts.push({ x: s.x, y: cy(s) }, { x: xs, y: cy(s) });
  } else if (s.stack === 0) {
    const laneY = (from.rowTops[s.row] ?? s.y) - SIZE.rowGap / 2 + offset / 2;
    pts.push({ x: cx(s) + offset, y: s.y }, { x: cx(s) + offset, y: laneY }, { x: xs, y: laneY });
  } else {
    const laneY = (from.rowTops[s.row] ?? s.y) - SIZE.rowGap / 2 + offset / 2;
    pts.push({ x: s.x, y: cy(s) }, { x: s.x - 6, y: cy(s) }, { x: s.x - 6, y: laneY }, { x: xs, y: laneY });
  }
  const gapY = from.frame.y - SIZE.blockGap / 2 + offset / 2;
  pts.push({ x: xs, y: gapY }, { x: xt, y: gapY });
  if (t.row < 0) {
    pts.push({ x: xt, y: cy(t) }, { x: t.x, y: cy(t) });
    return pts;
  }
  const laneY = (to.rowTops[t.row] ?? t.y) - SIZE.rowGap / 2 + 3 + offset / 2;
  if (t.stack === 0) {
    pts.push({ x: xt, y: laneY }, { x: cx(t) - 8, y: laneY }, { x: cx(t) - 8, y: t.y });
  } else {
    pts.push({ x: xt, y: laneY }, { x: t.x - 12, y: laneY }, { x: t.x - 12, y: cy(t) }, { x: t.x, y: cy(t) });
  }
  return pts;
}

/** An SVG path through the points with rounded corners (radius r, smaller where segments are short). */
export function roundedPath(points: readonly Point[], r = 6): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  let d = `M ${first!.x} ${first!.y}`;
  for (let i = 0; i < rest.length; i++) {
    const prev = points[i]!;
    const cur = rest[i]!;
    const next = rest[i + 1];
    if (!next) {
      d += ` L ${cur.x} ${cur.y}`;
      break;
    }
    const inLen = Math.hypot(cur.x - prev.x, cur.y - prev.y);
    const outLen = Math.hypot(next.x - cur.x, next.y - cur.y);
    const rr = Math.min(r, inLen / 2, outLen / 2);
    if (rr <= 0.5) {
      d += ` L ${cur.x} ${cur.y}`;
      continue;
    }
    const ax = cur.x - ((cur.x - prev.x) / inLen) * rr;
    const ay = cur.y - ((cur.y - prev.y) / inLen) * rr;
    const bx = cur.x + ((next.x - cur.x) / outLen) * rr;
    const by = cur.y + ((next.y - cur.y) / outLen) * rr;
    d += ` L ${ax} ${ay} Q ${cur.x} ${cur.y} ${bx} ${by}`;
  }
  return d;
}
