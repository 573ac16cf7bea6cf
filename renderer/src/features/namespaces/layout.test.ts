import { describe, expect, it } from 'vitest';
import { highlight, toFlow } from './flow';
import { layoutGraph, routeEdge, roundedPath, SIZE, type Layout, type Rect } from './layout';
import { applyFilters, computeMembership, defaultFilters } from './model';
import { ctrId, hostId, syntheticGraph, type SyntheticOptions } from './synthetic';
import type { ContainerRef } from './types';

/** Node's process.cpuUsage (the tests run in Node; the renderer's tsconfig has no Node types). */
const cpuUsage = (globalThis as unknown as { process: { cpuUsage(prev?: object): { user: number; system: number } } })
  .process.cpuUsage;

function build(o: SyntheticOptions) {
  const g = syntheticGraph(o);
  const containers: ContainerRef[] = Array.from({ length: o.containers }, (_, i) => ({
    id: ctrId(i),
    name: `c${String(i).padStart(3, '0')}`,
    state: 'running',
    pid: null,
    network: null,
  }));
  const membership = computeMembership(g);
  const filtered = applyFilters(g, membership, containers, defaultFilters());
  const layout = layoutGraph({ namespaces: filtered.namespaces, containers: filtered.containers, membership });
  return { g, containers, membership, filtered, layout };
}

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (a: Rect, outer: Rect) =>
  a.x >= outer.x && a.y >= outer.y && a.x + a.w <= outer.x + outer.w && a.y + a.h <= outer.y + outer.h;

function boxes(l: Layout): [string, Rect][] {
  return [
    ...[...l.namespaces].map(([id, r]): [string, Rect] => [id, r]),
    ...[...l.containers].map(([id, r]): [string, Rect] => [`ctr:${id}`, r]),
  ];
}

function noOverlaps(l: Layout): void {
  const all = boxes(l).sort((a, b) => a[1].x - b[1].x);
  // sweep by x
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length && all[j]![1].x < all[i]![1].x + all[i]![1].w; j++) {
      if (overlap(all[i]![1], all[j]![1])) throw new Error(`${all[i]![0]} overlaps ${all[j]![0]}`);
    }
  }
}

describe('layoutGraph', () => {
  const opts: SyntheticOptions = {
    hostProcesses: 20,
    containers: 4,
    processesPerContainer: 3,
    usernsContainers: 1,
    hostNetContainers: 1,
    sandboxes: 2,
  };

  it('places every shown namespace and container once, without overlaps, inside its frame', () => {
    const { filtered, layout } = build(opts);
    expect(layout.namespaces.size).toBe(filtered.namespaces.length);
    expect(layout.containers.size).toBe(4);
    noOverlaps(layout);
    const frames = new Map(layout.frames.map((f) => [f.key, f]));
    for (const [, r] of boxes(layout)) {
      const n = r as Rect & { block: string };
      expect(inside(n, frames.get(n.block)!)).toBe(true);
    }
  });

  it('nests a child user namespace’s block inside its parent’s, below the parent’s grid', () => {
    const { layout } = build(opts);
    const root = layout.frames.find((f) => f.key === hostId('user'))!;
    const child = layout.frames.find((f) => f.depth === 1)!;
    expect(child).toBeDefined();
    expect(inside(child, root)).toBe(true);
    const rootGridBottom = Math.max(
      ...[...layout.namespaces.values()].filter((n) => n.block === root.key).map((n) => n.y + n.h),
    );
    expect(child.y).toBeGreaterThan(rootGridBottom);
    // headers sit at their block's top-left, above its grid
    const header = layout.namespaces.get(child.header!)!;
    expect(header.row).toBe(-1);
    for (const n of layout.namespaces.values())
      if (n.block === child.key && n.row >= 0) expect(n.y).toBeGreaterThan(header.y);
  });

  it('puts the host row first, one column per type, and each container left of its own row', () => {
    const { g, layout } = build(opts);
    const hostNet = layout.namespaces.get(hostId('net'))!;
    expect(hostNet.row).toBe(0);
    const mntX = new Set(
      g.namespaces
        .filter((ns) => ns.type === 'mnt' && layout.namespaces.get(ns.id)?.block === hostId('user'))
        .map((ns) => layout.namespaces.get(ns.id)!.x),
    );
    expect(mntX.size).toBe(1);
    for (let i = 1; i < 4; i++) {
      const c = layout.containers.get(ctrId(i))!;
      const own = g.namespaces.filter((ns) => ns.container === ctrId(i) && ns.type !== 'user');
      for (const ns of own) {
        const n = layout.namespaces.get(ns.id)!;
        expect(n.y).toBe(c.y);
        expect(n.x).toBeGreaterThan(c.x + c.w);
      }
    }
    // the userns container lives in its own user namespace's block
    expect(layout.containers.get(ctrId(0))!.block).not.toBe(hostId('user'));
  });

  it('routes membership, parent and owner edges orthogonally through the gaps', () => {
    const { g, layout } = build(opts);
    const pidNs = g.namespaces.find((ns) => ns.type === 'pid' && ns.container === ctrId(2))!;
    const routes = [
      routeEdge(layout, 'membership', ctrId(2), pidNs.id),
      routeEdge(layout, 'membership', ctrId(2), hostId('time')),
      routeEdge(layout, 'membership', ctrId(2), hostId('user')),
      routeEdge(layout, 'parent', pidNs.id, hostId('pid')),
      routeEdge(layout, 'owner', pidNs.id, hostId('user')),
    ];
    for (const r of routes) {
      expect(r).not.toBeNull();
      for (let i = 1; i < r!.length; i++) {
        const a = r![i - 1]!;
        const b = r![i]!;
        expect(a.x === b.x || a.y === b.y).toBe(true);
      }
    }
    // a membership edge ends on the namespace's top edge
    const n = layout.namespaces.get(pidNs.id)!;
    expect(routes[0]!.at(-1)).toEqual({ x: n.x + n.w / 2, y: n.y });
    // the parent edge runs in the lane right of the pid column
    expect(routes[3]![1]!.x).toBe(n.x + n.w + 12);
    expect(roundedPath(routes[3]!)).toMatch(/^M [\d.]+ [\d.]+ L .* Q .* L [\d.]+ [\d.]+$/);
    // different blocks: no lane, the view draws a curve
    const userNs = g.namespaces.find((ns) => ns.type === 'user' && ns.container === ctrId(0))!;
    const ctr0Net = g.namespaces.find((ns) => ns.type === 'net' && ns.container === ctrId(0))!;
    expect(layout.namespaces.get(ctr0Net.id)!.block).toBe(userNs.id);
    const cross = routeEdge(layout, 'membership', ctrId(0), hostId('time'))!;
    for (let i = 1; i < cross.length; i++) {
      expect(cross[i - 1]!.x === cross[i]!.x || cross[i - 1]!.y === cross[i]!.y).toBe(true);
    }
    const time = layout.namespaces.get(hostId('time'))!;
    expect(cross.at(-1)!.y).toBe(time.y); // into the top of the host's time namespace
    const childFrame = layout.frames.find((f) => f.key === userNs.id)!;
    expect(cross.some((p) => p.y < childFrame.y && p.y > childFrame.y - SIZE.blockGap)).toBe(true); // via the gap above
    // a block that is not an ancestor: no lane, the view draws a curve
    expect(routeEdge(layout, 'membership', ctrId(2), ctr0Net.id)).toBeNull();
  });

  it('focuses the first view on the host row and the rows near it', () => {
    const { layout } = build({ ...opts, containers: 30 });
    expect(layout.focus).toContain(hostId('net'));
    expect(layout.focus.length).toBeLessThanOrEqual(60);
    const rows = new Set(
      layout.focus.map((id) => (layout.namespaces.get(id) ?? layout.containers.get(id.slice(4)))!.row),
    );
    expect(Math.max(...rows)).toBeLessThanOrEqual(7);
  });

  it('lays out an empty graph, and containers with no namespace shown', () => {
    const l = layoutGraph({
      namespaces: [],
      containers: [{ id: 'x', name: 'x', state: null, pid: null, network: null }],
      membership: { byContainer: new Map(), byNamespace: new Map() },
    });
    expect(l.containers.get('x')).toBeDefined();
    expect(
      layoutGraph({
        namespaces: [],
        containers: [],
        membership: { byContainer: new Map(), byNamespace: new Map() },
      }).frames,
    ).toEqual([]);
  });

  it('never turns processes into nodes: a 2,000-process host is laid out as its namespaces', () => {
    // ~500 namespaces: 8 host, 70 containers x 6 + 8 userns containers x 7, 10 sandboxes x 2, 3 odd ones.
    const o: SyntheticOptions = {
      hostProcesses: 600,
      containers: 78,
      processesPerContainer: 17,
      usernsContainers: 8,
      hostNetContainers: 5,
      sandboxes: 10,
      processLimit: 50,
    };
    const g = syntheticGraph(o);
    const processes = g.processCount;
    expect(processes).toBeGreaterThanOrEqual(2000);
    expect(g.namespaces.length).toBeGreaterThanOrEqual(480);
    expect(g.namespaces.length).toBeLessThanOrEqual(560);

    const containers: ContainerRef[] = Array.from({ length: o.containers }, (_, i) => ({
      id: ctrId(i),
      name: `c${i}`,
      state: 'running',
      pid: null,
      network: null,
    }));
    const runs: number[] = [];
    const cpu: number[] = [];
    let nodes = 0;
    let edges = 0;
    let layout: Layout | null = null;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const c0 = cpuUsage();
      const membership = computeMembership(g);
      const filtered = applyFilters(g, membership, containers, defaultFilters());
      layout = layoutGraph({ namespaces: filtered.namespaces, containers: filtered.containers, membership });
      const flow = toFlow(filtered, membership, layout, new Map(containers.map((c) => [c.id, c.name])));
      const lit = highlight(flow, {
        selected: hostId('net'),
        compare: null,
        toggles: { membership: true, parent: true, owner: false },
      });
      runs.push(performance.now() - t0);
      const c1 = cpuUsage(c0);
      cpu.push((c1.user + c1.system) / 1000);
      nodes = lit.nodes.length;
      edges = lit.edges.length;
    }
    noOverlaps(layout!);
    expect(nodes).toBeLessThan(g.namespaces.length + o.containers + 20); // + frames, never one per process
    const sorted = [...runs].sort((a, b) => a - b);
    const cpuSorted = [...cpu].sort((a, b) => a - b);
    console.log(
      `[layout] ${processes} processes, ${g.namespaces.length} namespaces, ${o.containers} containers → ` +
        `${nodes} nodes, ${edges} edges, ${layout!.width}×${layout!.height} px; ` +
        `membership+filters+layout+flow+highlight: first ${runs[0]!.toFixed(1)} ms, median ${sorted[2]!.toFixed(1)} ms, ` +
        `min ${sorted[0]!.toFixed(1)} ms; CPU median ${cpuSorted[2]!.toFixed(1)} ms (wall runs: ${runs.map((r) => r.toFixed(1)).join(', ')})`,
    );
    expect(SIZE.nsW).toBeGreaterThan(0);
  });
});
