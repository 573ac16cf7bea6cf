import { describe, expect, it } from 'vitest';
import { ctrNodeId, highlight, nodeIdOf, nsAriaLabel, selectionOf, stabilize, toFlow, type NsNode } from './flow';
import { layoutGraph } from './layout';
import { applyFilters, computeMembership, defaultFilters, summarizeShared } from './model';
import { ctrId, hostId, syntheticGraph } from './synthetic';
import type { ContainerRef, NamespaceType, SharedNamespaces } from './types';

function setup() {
  const g = syntheticGraph({ hostProcesses: 4, containers: 2, processesPerContainer: 2, hostNetContainers: 1 });
  const containers: ContainerRef[] = [0, 1].map((i) => ({
    id: ctrId(i),
    name: `c${i}`,
    state: 'running',
    pid: null,
    network: i === 0 ? 'host' : 'bridge',
  }));
  const membership = computeMembership(g);
  const filtered = applyFilters(g, membership, containers, defaultFilters());
  const layout = layoutGraph({ namespaces: filtered.namespaces, containers: filtered.containers, membership });
  const names = new Map(containers.map((c) => [c.id, c.name]));
  return { g, containers, membership, filtered, layout, flow: toFlow(filtered, membership, layout, names) };
}

const TOGGLES = { membership: true, parent: true, owner: false };

describe('toFlow', () => {
  it('makes one node per namespace and container, frames behind them, and the three edge kinds', () => {
    const { g, flow } = setup();
    const ns = flow.nodes.filter((n) => n.type === 'ns');
    expect(ns.length).toBe(g.namespaces.length);
    expect(flow.nodes.filter((n) => n.type === 'ctr').map((n) => n.id)).toEqual([
      ctrNodeId(ctrId(0)),
      ctrNodeId(ctrId(1)),
    ]);
    const frame = flow.nodes.find((n) => n.type === 'frame')!;
    expect(frame.zIndex).toBeLessThan(0);
    expect(frame.selectable).toBe(false);

    const ids = new Set(flow.edges.map((e) => e.id));
    expect(ids.has(`m:${ctrNodeId(ctrId(0))}->${hostId('net')}`)).toBe(true);
    expect(ids.has(`m:${ctrNodeId(ctrId(1))}->${hostId('net')}`)).toBe(false);
    const pid1 = g.namespaces.find((n) => n.type === 'pid' && n.container === ctrId(1))!;
    expect(ids.has(`p:${pid1.id}->${hostId('pid')}`)).toBe(true);
    expect(ids.has(`o:${pid1.id}->${hostId('user')}`)).toBe(true);
    expect(flow.edges.every((e) => e.type === 'route' && e.data?.kind)).toBe(true);
    // in one block, every route is known
    expect(flow.edges.every((e) => e.data?.points && e.data.points.length >= 2)).toBe(true);
  });

  it('labels nodes for screen readers and the e2e tests', () => {
    const { flow } = setup();
    const net = flow.nodes.find((n) => n.id === hostId('net')) as NsNode;
    expect(net.ariaLabel).toMatch(/^net namespace \d+, host initial, \d+ processes, containers c0$/);
    expect(nsAriaLabel({ ...net.data.ns, initial: false, hidden: true, processCount: 1 })).toMatch(
      /hidden, 1 process$/,
    );
    // A pod's shared namespace says whose it is.
    expect(nsAriaLabel({ ...net.data.ns, initial: false, pod: 'shop' }, ['shop-web', 'shop-db'])).toMatch(
      /containers shop-web, shop-db, shared by pod shop$/,
    );
  });
});

describe('highlight', () => {
  it('hides owner edges unless toggled, but always shows the selected node’s own', () => {
    const { g, flow } = setup();
    const off = highlight(flow, { selected: null, compare: null, toggles: TOGGLES });
    expect(off.edges.filter((e) => e.data!.kind === 'owner').every((e) => e.hidden)).toBe(true);
    expect(off.edges.filter((e) => e.data!.kind !== 'owner').some((e) => e.hidden)).toBe(false);

    const pid1 = g.namespaces.find((n) => n.type === 'pid' && n.container === ctrId(1))!;
    const sel = highlight(flow, { selected: pid1.id, compare: null, toggles: TOGGLES });
    const own = sel.edges.find((e) => e.id === `o:${pid1.id}->${hostId('user')}`)!;
    expect(own.hidden).toBe(false);
    expect(own.className).toContain('is-active');
    const node = sel.nodes.find((n) => n.id === pid1.id)!;
    expect(node.selected).toBe(true);
    expect(node.className).toContain('is-selected');
    expect(sel.nodes.find((n) => n.id === hostId('pid'))!.className).toContain('is-related');
    expect(sel.nodes.find((n) => n.id === ctrNodeId(ctrId(1)))!.className).toContain('is-related');
    // untouched nodes keep their identity (React Flow re-renders less)
    const unrelated = flow.nodes.find((n) => n.id === hostId('uts'))!;
    expect(sel.nodes.find((n) => n.id === hostId('uts'))).toBe(unrelated);
  });

  it('marks shared, separate and host-side namespaces for a comparison, and dims the rest', () => {
    const { g, flow } = setup();
    const own = (t: NamespaceType) => g.namespaces.find((n) => n.type === t && n.container === ctrId(0))?.id;
    const answer: SharedNamespaces = {
      a: 100,
      b: 'host',
      namespaces: (['user', 'mnt', 'pid', 'net', 'uts', 'ipc', 'cgroup', 'time'] as NamespaceType[]).map((t) => {
        const a = own(t) ?? hostId(t);
        return { type: t, shared: a === hostId(t), a, b: hostId(t) };
      }),
    };
    const summary = summarizeShared(answer);
    expect(summary.shared).toEqual(['user', 'net', 'time']);
    const lit = highlight(flow, { selected: null, compare: { container: ctrId(0), summary }, toggles: TOGGLES });
    const mark = (id: string) => (lit.nodes.find((n) => n.id === id) as NsNode).data.mark;
    expect(mark(hostId('net'))).toBe('shared');
    expect(mark(own('pid')!)).toBe('separate');
    expect(mark(hostId('pid'))).toBe('host-side');
    const other = g.namespaces.find((n) => n.type === 'pid' && n.container === ctrId(1))!.id;
    expect(lit.nodes.find((n) => n.id === other)!.className).toContain('is-dimmed');
    expect(lit.nodes.find((n) => n.id === ctrNodeId(ctrId(0)))!.data.mark).toBe('compared');
    const m = lit.edges.find((e) => e.id === `m:${ctrNodeId(ctrId(0))}->${hostId('net')}`)!;
    expect(m.className).toContain('is-active');
  });
});

describe('stabilize', () => {
  it('keeps the objects of what did not change, takes the new ones of what did', () => {
    const a = setup();
    const b = setup(); // the same scan again: equal content, new objects
    const names = new Map(a.containers.map((c) => [c.id, c.name]));
    const again = toFlow(b.filtered, b.membership, b.layout, names);
    expect(stabilize(a.flow, again)).toBe(a.flow);

    const lit1 = highlight(a.flow, { selected: hostId('net'), compare: null, toggles: TOGGLES });
    const lit2 = stabilize(lit1, highlight(a.flow, { selected: hostId('net'), compare: null, toggles: TOGGLES }));
    expect(lit2).toBe(lit1);
    const lit3 = stabilize(lit1, highlight(a.flow, { selected: hostId('uts'), compare: null, toggles: TOGGLES }));
    expect(lit3).not.toBe(lit1);
    const changed = lit3.nodes.filter((n, i) => n !== lit1.nodes[i]).map((n) => n.id);
    expect(changed).toContain(hostId('net'));
    expect(changed).toContain(hostId('uts'));
    expect(changed.length).toBeLessThan(10);
    expect(lit3.nodes.find((n) => n.id === hostId('pid'))).toBe(lit1.nodes.find((n) => n.id === hostId('pid')));
  });
});

describe('selection ids', () => {
  it('round-trips namespace and container node ids, ignores frames', () => {
    expect(selectionOf('net:1')).toEqual({ kind: 'ns', id: 'net:1' });
    expect(selectionOf('ctr:abc')).toEqual({ kind: 'ctr', id: 'abc' });
    expect(selectionOf('frame:user:1')).toBeNull();
    expect(nodeIdOf({ kind: 'ctr', id: 'abc' })).toBe('ctr:abc');
    expect(nodeIdOf({ kind: 'ns', id: 'pid:2' })).toBe('pid:2');
  });
});
