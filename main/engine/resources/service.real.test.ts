/**
 * ResourceService on a real group and process (root, v1/hybrid host): one tick
 * gives a row per container with PSI where the kernel has it, resources.stats'
 * on-demand counters, OOM kills reported from the tick, and untrack closing
 * every file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { resourceEvents, type StatsRowT } from '../../../preload/schemas/resources';
import { Scratch, hasV1, hostLayout, isRoot, spawnGated, waitFor } from '../../testing/cgroup-groups';
import { decodeSampleColumns, type SampleColumns } from '../../shared/sample-wire';
import { ResourceService } from './service';

/** A tick as a client receives it: JSON, decoded, checked against the event's schema. */
function overTheWire(sample: SampleColumns): StatsRowT[] {
  return resourceEvents['resources.sample'].parse(decodeSampleColumns(JSON.parse(JSON.stringify(sample)))).rows;
}

const layout = isRoot ? hostLayout() : null;

/** What this process's fds point at. */
function openFiles(): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      out.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile (the readdir's own fd)
    }
  }
  return out;
}

describe.runIf(isRoot && hasV1(layout, 'memory', 'cpuacct'))('ResourceService on a real group', () => {
  const s = layout ? new Scratch(layout) : (null as unknown as Scratch);
  const services: ResourceService[] = [];
  afterEach(async () => {
    for (const x of services.splice(0)) x.stop();
    await s.cleanup();
  });

  it('ticks rows with PSI, answers latest() with every counter, reports OOM kills, and untrack closes its files', async () => {
    const ticks: StatsRowT[][] = [];
    const ooms: Array<{ id: string; kills: number }> = [];
    const svc = new ResourceService({
      driver: s.driver,
      intervalMs: 100,
      onTick: (sample) => ticks.push(overTheWire(sample)),
      onOom: (id, kills) => ooms.push({ id, kills }),
    });
    services.push(svc);
    const h = s.create('svc');
    s.driver.apply(h, { memory: { max: 32 * 1024 * 1024 } });
    const g = spawnGated(['stress-ng', '--vm', '1', '--vm-bytes', '128M', '--vm-keep', '--timeout', '10s']);
    s.track(g.child);
    s.driver.attach(h, g.pid);
    svc.track('c1', 'one', h, g.pid);
    expect(svc.sampleErrors().size).toBe(0);
    expect(await waitFor(() => ticks.length >= 2, 5000)).toBe(true);
    const row = ticks.at(-1)![0]!;
    expect(row).toMatchObject({ id: 'c1', name: 'one', memoryLimit: 32 * 1024 * 1024 });
    const psiHere = fs.existsSync(`${h.unified ?? '/nonexistent'}/cpu.pressure`);
    expect(row.psiCpuSomeAvg10 === null).toBe(!psiHere);

    g.go();
    expect(await waitFor(() => ooms.some((o) => o.kills > 0), 10_000, 50)).toBe(true);
    expect(ooms[0]?.id).toBe('c1');

    const [latest] = svc.latest('c1');
    expect(latest?.row.id).toBe('c1');
    expect(latest?.stats.memory.oomKillEvents).toBeGreaterThanOrEqual(1);
    expect(latest?.stats.memory.limit).toBe(32 * 1024 * 1024);
    if (psiHere) expect(latest?.stats.pressure?.cpu?.someTotal).toBeGreaterThanOrEqual(0);

    const mine = () => openFiles().filter((f) => f.includes(h.id) || f.startsWith(`/proc/${g.pid}/`));
    expect(mine().length).toBeGreaterThan(5);
    svc.untrack('c1');
    expect(mine()).toEqual([]);
    expect(svc.history.last('c1')).not.toBeNull(); // the history stays until forget()
    svc.forget('c1');
    expect(svc.history.last('c1')).toBeNull();
  });

  it('a sleeping container: rows every tick, no OOM, latest() for all keeps no files open', async () => {
    const ticks: StatsRowT[][] = [];
    const svc = new ResourceService({
      driver: s.driver,
      intervalMs: 100,
      onTick: (sample) => ticks.push(overTheWire(sample)),
      onOom: () => undefined,
    });
    services.push(svc);
    const h = s.create('sleep');
    const c = s.track(spawn('sleep', ['30'], { stdio: 'ignore' }));
    s.driver.attach(h, c.pid ?? 0);
    svc.track('c2', 'two', h, c.pid ?? 0);
    expect(await waitFor(() => ticks.length >= 3, 5000)).toBe(true);
    expect(ticks.at(-1)!.map((r) => r.pids)).toEqual([1]);
    const fdsBefore = fs.readdirSync('/proc/self/fd').length;
    expect(svc.latest().map((x) => x.row.id)).toEqual(['c2']);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(fdsBefore);
  });
});
