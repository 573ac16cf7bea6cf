/**
 * The sampler on real groups (root only): rates from real counters, the native
 * batch's numbers equal to the JS readers', files kept open, OOM kills seen
 * from the tick, vanished groups dropped.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { rmdirTree } from './driver';
import { History } from './history';
import { Scratch, hasV1, hostLayout, isRoot, sleep, spawnGated, waitFor } from '../../testing/cgroup-groups';
import { SLOT } from './sample-layout';
import { type OomSeen, type SampleBatch, Sampler } from './sampler';

const layout = isRoot ? hostLayout() : null;

describe.runIf(isRoot && hasV1(layout, 'memory', 'cpuacct'))('Sampler on real groups', () => {
  const s = layout ? new Scratch(layout) : (null as unknown as Scratch);
  const samplers: Sampler[] = [];
  afterEach(async () => {
    for (const x of samplers.splice(0)) x.close();
    await s.cleanup();
  });
  const sampler = (opts: ConstructorParameters<typeof Sampler>[1] = {}) => {
    const x = new Sampler(s.driver, opts);
    samplers.push(x);
    return x;
  };

  it('samples on one timer, pushes history, derives CPU % of a busy loop', async () => {
    const busy = s.create('busy');
    const idle = s.create('idle');
    const c = s.track(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    s.driver.attach(busy, c.pid ?? 0);
    const batches: SampleBatch[] = [];
    const x = sampler({ intervalMs: 200, history: new History({ capacity: 50 }), onSample: (b) => batches.push(b) });
    x.add('busy', busy);
    x.add('idle', idle);
    x.start();
    await sleep(1300);
    x.stop();
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(batches.every((b) => b.errors.length === 0 && b.ids.length === 2)).toBe(true);
    const pts = x.history.range('busy');
    const cpu = pts.slice(1).map((p) => p.cpuPercent ?? 0);
    console.log(`[sampler] busy loop CPU % per 200 ms sample: ${cpu.map((v) => v.toFixed(0)).join(' ')}`);
    // A ratio, not a threshold: on a loaded machine the busy loop gets less CPU.
    const idleMax = Math.max(
      ...x.history
        .range('idle')
        .slice(1)
        .map((p) => p.cpuPercent ?? 0),
    );
    expect(Math.max(...cpu)).toBeGreaterThan(1);
    expect(Math.max(...cpu)).toBeGreaterThan(idleMax * 5);
    expect(x.history.last('busy')?.pids).toBe(1);
    expect(x.history.last('idle')?.pids).toBe(0);
  });

  it("reads the same numbers as the driver's JS readers (one native call per tick)", () => {
    const h = s.create('same');
    const sleeper = s.track(spawn('sleep', ['30'], { stdio: 'ignore' }));
    s.driver.attach(h, sleeper.pid ?? 0);
    s.driver.apply(h, { memory: { max: 64 * 1024 * 1024 } });
    const x = sampler();
    x.add('same', h);
    const before = s.driver.stats(h);
    x.sampleOnce();
    const after = s.driver.stats(h);
    const ring = x.history.ring('same')!;
    const p = x.history.last('same')!;
    // Counters read in between the two JS reads (which floor ns to whole µs).
    const cpu = Math.floor(ring.lastValue(SLOT.cpuUsec));
    expect(cpu).toBeGreaterThanOrEqual(before.cpu.usageUsec);
    expect(cpu).toBeLessThanOrEqual(after.cpu.usageUsec);
    expect(ring.lastValue(SLOT.nrPeriods)).toBe(after.cpu.nrPeriods);
    expect(p.pids).toBe(after.pids.current);
    expect(p.memoryLimit).toBe(64 * 1024 * 1024);
    expect([before.memory.current, after.memory.current]).toContain(p.memoryBytes);
    expect(ring.lastValue(SLOT.oomKill)).toBe(after.memory.oomKillEvents);
    const rd = after.io.devices.reduce((a, d) => a + d.rbytes, 0);
    const wr = after.io.devices.reduce((a, d) => a + d.wbytes, 0);
    expect(ring.lastValue(SLOT.ioReadBytes)).toBeLessThanOrEqual(rd);
    expect(ring.lastValue(SLOT.ioWriteBytes)).toBeLessThanOrEqual(wr);
    // PSI: the unified group's files where the kernel has them, null where not.
    const psi = after.pressure;
    expect(p.psiCpuSomeAvg10 === null).toBe(psi?.cpu === undefined);
    expect(p.psiMemoryFullAvg10 === null).toBe(psi?.memory?.fullAvg10 === undefined);
    if (psi?.io) expect(p.psiIoSomeAvg10).toBeGreaterThanOrEqual(0);
    // An unlimited group reads back null.
    s.driver.apply(h, { memory: { max: null } });
    x.sampleOnce();
    expect(x.history.last('same')?.memoryLimit).toBeNull();
  });

  it('keeps files open between ticks: one open per file, at most one pread per file per tick', () => {
    const h = s.create('fds');
    const fdsBefore = fs.readdirSync('/proc/self/fd').length;
    const x = sampler();
    x.add('fds', h);
    const files = s.driver.sampleFiles(h).length;
    const c0 = x.counters();
    expect(c0.openFiles).toBe(files);
    expect(fs.readdirSync('/proc/self/fd').length - fdsBefore).toBe(files);
    x.sampleOnce();
    x.sampleOnce();
    const c1 = x.counters();
    expect(c1.opens).toBe(c0.opens);
    // The first tick reads every file; the next skips the ones read every N-th tick (limits, PSI).
    const everyTick = s.driver.sampleFiles(h).filter((f) => (f.every ?? 1) === 1).length;
    expect(everyTick).toBeLessThan(files);
    expect(c1.preads - c0.preads).toBe(files + everyTick);
    // After a write through the driver the next tick reads every file again (the limit among them).
    s.driver.apply(h, { pids: { max: 50 } });
    x.sampleOnce();
    expect(x.counters().preads - c1.preads).toBe(files);
    x.remove('fds');
    expect(x.counters().openFiles).toBe(0);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(fdsBefore);
  });

  it('sees an OOM kill from the tick (no separate poll)', async () => {
    const victim = s.create('oom');
    s.driver.apply(victim, { memory: { max: 32 * 1024 * 1024 } });
    const seen: OomSeen[] = [];
    const x = sampler({ intervalMs: 100, onOom: (e) => seen.push(e) });
    x.add('victim', victim);
    x.start();
    const g = spawnGated(['stress-ng', '--vm', '1', '--vm-bytes', '128M', '--vm-keep', '--timeout', '10s']);
    s.track(g.child);
    s.driver.attach(victim, g.pid);
    g.go();
    expect(await waitFor(() => seen.some((e) => e.newKills > 0), 10_000, 50)).toBe(true);
    expect(seen.find((e) => e.newKills > 0)).toMatchObject({ id: 'victim' });
    expect(x.history.ring('victim')!.lastValue(SLOT.oomKill)).toBeGreaterThanOrEqual(1);
  });

  it('drops a group removed behind its back (ENODEV on the open fds) and says so; the others go on', async () => {
    const h = s.create('gone');
    const kept = s.create('kept');
    const x = sampler();
    x.add('gone', h);
    x.add('kept', kept);
    expect(x.sampleOnce().ids).toEqual(['gone', 'kept']);
    for (const d of [...new Set(Object.values(h.v1)), h.unified]) if (d) await rmdirTree(d);
    const b = x.sampleOnce();
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]).toMatchObject({ id: 'gone', error: { code: 'CGROUP_NOT_FOUND' } });
    expect(b.ids).toEqual(['kept']);
    expect(x.size).toBe(1);
  });
});
