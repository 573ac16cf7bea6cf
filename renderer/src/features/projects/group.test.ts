/** Grouping by compose labels, and the order each project action takes. */
import { describe, expect, it } from 'vitest';
import { containerSummary, type Summary } from '../../testing/containers';
import {
  cgroupText,
  downPlan,
  groupByProject,
  projectNetworks,
  projectVolumes,
  restartOrder,
  serviceColour,
  SERVICE_COLOURS,
  stopOrder,
  upOrder,
} from './group';
import { COMPOSE } from './labels';

const member = (
  project: string,
  service: string,
  n: number,
  over: Partial<Summary> = {},
  extra: Record<string, string> = {},
): Summary =>
  containerSummary({
    id: `${project}-${service}-${n}`.padEnd(64, '0'),
    name: `${project}-${service}-${n}`,
    labels: {
      [COMPOSE.project]: project,
      [COMPOSE.service]: service,
      [COMPOSE.number]: String(n),
      [COMPOSE.oneoff]: 'False',
      ...extra,
    },
    ...over,
  });

const net = (name: string, labels: Record<string, string> = {}, builtin = false) => ({ name, labels, builtin });
const vol = (name: string, labels: Record<string, string> = {}) => ({ name, labels });

describe('groupByProject', () => {
  it('groups by the project label, sorts projects and their containers, keeps the rest ungrouped in order', () => {
    const plain2 = containerSummary({ id: 'p2'.padEnd(64, '0'), name: 'zeta' });
    const plain1 = containerSummary({ id: 'p1'.padEnd(64, '0'), name: 'alpha' });
    const g = groupByProject([
      member('shop', 'web', 2),
      plain2,
      member('blog', 'db', 1, { state: 'exited', exitCode: 0 }),
      member(
        'shop',
        'db',
        1,
        {},
        { [COMPOSE.workingDir]: '/home/u/shop', [COMPOSE.configFiles]: '/home/u/shop/compose.yaml' },
      ),
      member('shop', 'web', 1, { state: 'restarting' }),
      plain1,
    ]);
    expect(g.ungrouped.map((c) => c.name)).toEqual(['zeta', 'alpha']);
    expect(g.projects.map((p) => p.name)).toEqual(['blog', 'shop']);
    const shop = g.projects[1]!;
    expect(shop.containers.map((c) => c.name)).toEqual(['shop-db-1', 'shop-web-1', 'shop-web-2']);
    expect(shop.services).toEqual(['db', 'web']);
    expect([shop.running, shop.total]).toEqual([3, 3]);
    expect(shop.workingDir).toBe('/home/u/shop');
    expect(shop.configFiles).toEqual(['/home/u/shop/compose.yaml']);
    const blog = g.projects[0]!;
    expect([blog.running, blog.total, blog.workingDir]).toEqual([0, 1, null]);
  });

  it('an empty project label is no project; a container without a service label is its own service', () => {
    const g = groupByProject([
      containerSummary({ id: 'a'.repeat(64), name: 'a', labels: { [COMPOSE.project]: '' } }),
      containerSummary({ id: 'b'.repeat(64), name: 'b', labels: { [COMPOSE.project]: 'p' } }),
    ]);
    expect(g.ungrouped.map((c) => c.name)).toEqual(['a']);
    expect(g.projects[0]!.services).toEqual(['b']);
  });

  it('config files are split on commas (compose writes them so)', () => {
    const g = groupByProject([member('p', 's', 1, {}, { [COMPOSE.configFiles]: '/a/compose.yaml,/a/override.yaml' })]);
    expect(g.projects[0]!.configFiles).toEqual(['/a/compose.yaml', '/a/override.yaml']);
  });
});

describe('networks and volumes of a project', () => {
  const networks = [
    net('shop_default', { [COMPOSE.project]: 'shop', [COMPOSE.network]: 'default' }),
    net('shop_back', { [COMPOSE.project]: 'shop', [COMPOSE.network]: 'back' }),
    net('blog_default', { [COMPOSE.project]: 'blog' }),
    net('shop_unlabelled'),
    net('bridge', { [COMPOSE.project]: 'shop' }, true),
  ];
  const volumes = [
    vol('shop_data', { [COMPOSE.project]: 'shop', [COMPOSE.volume]: 'data' }),
    vol('shop_other'),
    vol('blog_data', { [COMPOSE.project]: 'blog' }),
  ];

  it('are the labelled ones only (never by name prefix, never a built-in)', () => {
    expect(projectNetworks('shop', networks).map((n) => n.name)).toEqual(['shop_back', 'shop_default']);
    expect(projectVolumes('shop', volumes).map((v) => v.name)).toEqual(['shop_data']);
  });

  it('down removes every container newest first, then the networks, and the volumes only when asked', () => {
    const project = groupByProject([
      member('shop', 'db', 1, { created: '2026-12-07T10:00:00Z' }),
      member('shop', 'web', 1, { created: '2026-12-07T10:00:05Z', state: 'exited', exitCode: 0 }),
    ]).projects[0]!;
    expect(downPlan(project, networks, volumes, false)).toEqual({
      containers: [project.containers[1], project.containers[0]],
      networks: ['shop_back', 'shop_default'],
      volumes: [],
    });
    expect(downPlan(project, networks, volumes, true).volumes).toEqual(['shop_data']);
  });
});

describe('action order', () => {
  const cs = [
    member('p', 'web', 1, { created: '2026-12-07T10:00:03Z', state: 'exited', exitCode: 137 }),
    member('p', 'db', 1, { created: '2026-12-07T10:00:01Z', state: 'created' }),
    member('p', 'cache', 1, { created: '2026-12-07T10:00:02Z', state: 'running' }),
    member('p', 'worker', 1, { created: '2026-12-07T10:00:04Z', state: 'paused' }),
    member('p', 'broken', 1, { created: '2026-12-07T10:00:00Z', state: 'unreadable' }),
  ];
  const names = (l: Summary[]) => l.map((c) => c.name);

  it('up starts the stopped ones oldest first', () => {
    expect(names(upOrder(cs))).toEqual(['p-db-1', 'p-web-1']);
  });

  it('stop takes the live ones newest first', () => {
    expect(names(stopOrder(cs))).toEqual(['p-worker-1', 'p-cache-1']);
  });

  it('restart takes every usable one oldest first', () => {
    expect(names(restartOrder(cs))).toEqual(['p-db-1', 'p-cache-1', 'p-web-1', 'p-worker-1']);
  });

  it('one-off containers (compose run) are left out of up, stop and restart, but down removes them', () => {
    const oneoff = { [COMPOSE.oneoff]: 'True' };
    const runs = [
      member('p', 'web', 2, { created: '2026-12-07T10:00:05Z', state: 'exited', exitCode: 0 }, oneoff),
      member('p', 'web', 3, { created: '2026-12-07T10:00:06Z', state: 'running' }, oneoff),
    ];
    const all = [...cs, ...runs];
    expect(names(upOrder(all))).toEqual(['p-db-1', 'p-web-1']);
    expect(names(stopOrder(all))).toEqual(['p-worker-1', 'p-cache-1']);
    expect(names(restartOrder(all))).not.toContain('p-web-3');
    const project = groupByProject(all).projects[0]!;
    expect(names(downPlan(project, [], [], false).containers).slice(0, 2)).toEqual(['p-web-3', 'p-web-2']);
  });
});

describe('cgroupText', () => {
  it('folds the v1 controllers of one path, keeps a v2 path, lists paths that differ', () => {
    const id = 'berth/abc';
    expect(cgroupText([`/sys/fs/cgroup/cpu/${id}`, `/sys/fs/cgroup/memory/${id}`])).toBe(
      `/sys/fs/cgroup/{cpu,memory}/${id}`,
    );
    expect(cgroupText([`/sys/fs/cgroup/${id}`])).toBe(`/sys/fs/cgroup/${id}`);
    expect(cgroupText([])).toBe('—');
    expect(cgroupText(['/sys/fs/cgroup/cpu/a', '/sys/fs/cgroup/memory/b'])).toBe(
      '/sys/fs/cgroup/cpu/a, /sys/fs/cgroup/memory/b',
    );
  });
});

describe('serviceColour', () => {
  it('is the service place among the sorted services, wrapping round the palette', () => {
    const services = Array.from({ length: SERVICE_COLOURS + 1 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    expect(services.map((s) => serviceColour(s, services))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0]);
    expect(serviceColour('unknown', services)).toBe(0);
  });
});
