/** The sampler on real groups (root only): rates from real counters, files kept open, vanished groups dropped. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { rmdirTree } from './driver';
import { History } from './history';
import { Scratch, hasV1, hostLayout, isRoot, sleep } from './real-helpers';
import { type SampleBatch, Sampler } from './sampler';

const layout = isRoot ? hostLayout() : null;

describe.runIf(isRoot && hasV1(layout, 'memory', 'cpuacct'))('Sampler on real groups', () => {
  const s = layout ? new Scratch(layout) : (null as unknown as Scratch);
  afterEach(() => s.cleanup());

  it('samples on one timer, pushes history, derives CPU % of a busy loop', async () => {
    const busy = s.create('busy');
    const idle = s.create('idle');
    const c = s.track(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    s.driver.attach(busy, c.pid ?? 0);
    const batches: SampleBatch[] = [];
    const sampler = new Sampler(s.driver, {
      intervalMs: 200,
      history: new History({ capacity: 50 }),
      onSample: (b) => batches.push(b),
    });
    sampler.add('busy', busy);
    sampler.add('idle', idle);
    sampler.start();
    await sleep(1300);
    sampler.stop();
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(batches.every((b) => b.errors.length === 0 && b.samples.length === 2)).toBe(true);
    const pts = sampler.history.range('busy');
    const cpu = pts.slice(1).map((p) => p.cpuPercent ?? 0);
    console.log(`[sampler] busy loop CPU % per 200 ms sample: ${cpu.map((x) => x.toFixed(0)).join(' ')}`);
    // A ratio, not a threshold: on a loaded machine the busy loop gets less CPU.
    const idleMax = Math.max(
      ...sampler.history
        .range('idle')
        .slice(1)
        .map((p) => p.cpuPercent ?? 0),
    );
    expect(Math.max(...cpu)).toBeGreaterThan(1);
    expect(Math.max(...cpu)).toBeGreaterThan(idleMax * 5);
    expect(sampler.history.latest('busy')?.pids.current).toBe(1);
  });

  it('keeps files open between samples (one open per file, one pread per file per sample)', () => {
    const h = s.create('fds');
    const before = fs.readdirSync('/proc/self/fd').length;
    s.driver.stats(h);
    const opened = fs.readdirSync('/proc/self/fd').length - before;
    s.driver.stats(h);
    s.driver.stats(h);
    expect(fs.readdirSync('/proc/self/fd').length - before).toBe(opened);
    expect(opened).toBeGreaterThan(5);
    s.driver.release(h);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('drops a group removed behind its back (ENODEV on the open fds) and says so', async () => {
    const h = s.create('gone');
    const sampler = new Sampler(s.driver);
    sampler.add('gone', h);
    expect(sampler.sampleOnce().samples).toHaveLength(1);
    for (const d of [...new Set(Object.values(h.v1)), h.unified]) if (d) await rmdirTree(d);
    const b = sampler.sampleOnce();
    expect(b.errors[0]).toMatchObject({ id: 'gone', error: { code: 'CGROUP_NOT_FOUND' } });
    expect(sampler.size).toBe(0);
  });
});
