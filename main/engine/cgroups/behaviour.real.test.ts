/**
 * What the limits do to real processes (root only): freezing, OOM kills,
 * killing a whole group, and the v2 core files of the unified hierarchy.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OomEvent } from '../../../preload/schemas/resources';
import type { CgroupLayout } from './detect';
import {
  Scratch,
  alive,
  cpuTicks,
  hasV1,
  hostLayout,
  isRoot,
  readFile,
  sleep,
  spawnGated,
  waitFor,
} from '../../testing/cgroup-groups';

const layout = isRoot ? hostLayout() : null;
const v1 = hasV1(layout, 'memory', 'freezer');

describe.runIf(isRoot && v1)('freezer, OOM and kill on this host', () => {
  const s = layout ? new Scratch(layout) : (null as unknown as Scratch);
  afterEach(() => s.cleanup());

  it('a frozen busy loop uses no CPU and runs again after thaw', async () => {
    const h = s.create('freeze');
    const busy = s.track(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    const pid = busy.pid ?? 0;
    s.driver.attach(h, pid);
    await sleep(200);
    await s.driver.freeze(h);
    expect(readFile(path.join(h.v1.freezer ?? '', 'freezer.state'))).toBe('FROZEN');
    const t0 = cpuTicks(pid);
    await sleep(500);
    const t1 = cpuTicks(pid);
    expect(t1 - t0).toBe(0);
    await s.driver.thaw(h);
    expect(readFile(path.join(h.v1.freezer ?? '', 'freezer.state'))).toBe('THAWED');
    // It runs again: its CPU time moves (how fast depends on the machine's load).
    for (let i = 0; i < 50 && cpuTicks(pid) === t1; i++) await sleep(100);
    expect(cpuTicks(pid)).toBeGreaterThan(t1);
  });

  it('an allocation past memory max is OOM-killed, counted and reported; a sleeper in another group survives', async () => {
    const victim = s.create('oom');
    const bystander = s.create('bystander');
    s.driver.apply(victim, { memory: { max: 32 * 1024 * 1024 } });
    const sleeper = s.track(spawn('sleep', ['30'], { stdio: 'ignore' }));
    s.driver.attach(bystander, sleeper.pid ?? 0);

    const events: OomEvent[] = [];
    const watcher = s.driver.watchOom(victim, (e) => events.push(e), { intervalMs: 100 });
    expect(watcher.mode).toBe(layout?.mode === 'v2' ? 'inotify' : 'poll');
    const before = s.driver.events(victim);
    const g = spawnGated(['stress-ng', '--vm', '1', '--vm-bytes', '128M', '--vm-keep', '--timeout', '10s']);
    s.track(g.child);
    s.driver.attach(victim, g.pid);
    g.go();
    // v2 may report an "oom" event before the kill is counted: wait for the kill.
    expect(await waitFor(() => events.some((e) => e.newKills > 0), 10_000, 50)).toBe(true);
    watcher.close();
    const after = s.driver.events(victim);
    expect(after?.oomKill).toBeGreaterThan(before?.oomKill ?? 0);
    const kill = events.find((e) => e.newKills > 0);
    expect(kill).toMatchObject({ id: victim.id, file: expect.stringMatching(/memory\.(oom_control|events)$/) });
    console.log(`[oom] ${JSON.stringify(kill)}`);
    // stress-ng restarts its worker, so more kills may follow: the counter only grows.
    expect(s.driver.stats(victim).memory.oomKillEvents).toBeGreaterThanOrEqual(after?.oomKill ?? 1);
    expect(alive(sleeper.pid ?? 0)).toBe(true);
    expect(s.driver.stats(bystander).memory.oomKillEvents).toBe(0);
  });

  it('killAll empties a group with several processes; destroy removes it from every hierarchy', async () => {
    const h = s.create('kill');
    const g = spawnGated(['sh', '-c', 'sleep 30 & sleep 30 & while :; do sleep 1; done']);
    s.track(g.child);
    s.driver.attach(h, g.pid);
    g.go();
    expect(await waitFor(() => s.driver.pids(h).length >= 3, 3000)).toBe(true);
    await s.driver.killAll(h);
    expect(s.driver.pids(h)).toEqual([]);
    const dirs = [...new Set(Object.values(h.v1)), h.unified].filter((d): d is string => !!d);
    await s.driver.destroy(h);
    for (const d of dirs) expect(fs.existsSync(d)).toBe(false);
  });
});

describe.runIf(isRoot && layout?.unifiedMountPoint)('v2 core files for real in the unified hierarchy', () => {
  // A pure V2Driver pointed at this host's cgroup2 mount (on a hybrid host:
  // /sys/fs/cgroup/unified, which has the core files but few controllers).
  const unifiedLayout: CgroupLayout | null =
    layout?.unifiedMountPoint != null
      ? {
          mode: 'v2',
          root: layout.unifiedMountPoint,
          rootFsMagic: layout.rootFsMagic,
          unifiedMountPoint: layout.unifiedMountPoint,
          hierarchies: layout.hierarchies.filter((h) => h.version === 2),
        }
      : null;
  // No subtree_control writes on the host's root: the test needs only core files.
  const s = unifiedLayout ? new Scratch(unifiedLayout, { enableControllers: [] }) : (null as unknown as Scratch);
  afterEach(() => s.cleanup());

  it('cgroup.procs attach, cgroup.freeze + cgroup.events frozen, cgroup.kill', async () => {
    const h = s.create('v2core');
    expect(h.unified).toBe(path.join(layout?.unifiedMountPoint ?? '', h.path));
    const busy = s.track(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    const other = s.track(spawn('sleep', ['30'], { stdio: 'ignore' }));
    s.driver.attach(h, busy.pid ?? 0);
    s.driver.attach(h, other.pid ?? 0);
    expect(
      readFile(path.join(h.unified ?? '', 'cgroup.procs'))
        .split('\n')
        .map(Number)
        .sort(),
    ).toEqual([busy.pid, other.pid].sort());
    expect(readFile(path.join(h.unified ?? '', 'cgroup.events'))).toMatch(/^populated 1$/m);
    expect(fs.readFileSync(`/proc/${busy.pid}/cgroup`, 'utf8')).toMatch(new RegExp(`^0::/${h.path}$`, 'm'));

    await s.driver.freeze(h);
    expect(readFile(path.join(h.unified ?? '', 'cgroup.freeze'))).toBe('1');
    expect(readFile(path.join(h.unified ?? '', 'cgroup.events'))).toMatch(/^frozen 1$/m);
    const t0 = cpuTicks(busy.pid ?? 0);
    await sleep(300);
    expect(cpuTicks(busy.pid ?? 0)).toBe(t0);
    await s.driver.thaw(h);
    expect(readFile(path.join(h.unified ?? '', 'cgroup.events'))).toMatch(/^frozen 0$/m);

    const st = s.driver.stats(h);
    expect(st.pids.current).toBe(0); // pids controller is not in this unified hierarchy
    if (fs.existsSync(path.join(h.unified ?? '', 'cpu.pressure'))) expect(st.pressure?.cpu).toBeDefined();

    await s.driver.killAll(h);
    expect(fs.existsSync(path.join(h.unified ?? '', 'cgroup.kill'))).toBe(true);
    expect(readFile(path.join(h.unified ?? '', 'cgroup.procs'))).toBe('');
    expect(
      await waitFor(() => /^populated 0$/m.test(readFile(path.join(h.unified ?? '', 'cgroup.events'))), 2000),
    ).toBe(true);
  });
});

describe.runIf(isRoot && layout?.mode === 'hybrid')('HybridDriver: the unified group alongside v1', () => {
  const s = layout ? new Scratch(layout) : (null as unknown as Scratch);
  afterEach(() => s.cleanup());

  it('creates the unified group too, so cgroup.kill, cgroup.events and PSI work on hybrid', async () => {
    const h = s.create('hyb');
    expect(h.unified && fs.existsSync(path.join(h.unified, 'cgroup.kill'))).toBe(true);
    const c = s.track(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    s.driver.attach(h, c.pid ?? 0);
    expect(s.driver.procsFiles(h)).toContain(path.join(h.unified ?? '', 'cgroup.procs'));
    await sleep(1200);
    const st = s.driver.stats(h);
    expect(st.cpu.usageUsec).toBeGreaterThan(100_000);
    if (st.pressure) expect(st.pressure.cpu?.someTotal).toBeGreaterThanOrEqual(0);
    await s.driver.killAll(h);
    expect(s.driver.pids(h)).toEqual([]);
  });
});
