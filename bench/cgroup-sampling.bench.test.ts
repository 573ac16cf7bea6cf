/**
 * CPU cost of sampling 100 real cgroups (root, v1, v2 or hybrid host).
 *
 *   npx vitest run -c bench/vitest.bench.config.ts cgroup-sampling
 *
 * (bench/ is outside the unit-test include of vitest.config.ts; the bench
 * config includes the *.bench.test.ts files here.) Creates berth/bench-0..99
 * in every hierarchy the driver uses, runs the Sampler (the native StatBatch:
 * kept-open files, one call per tick) at its default 1 s interval for 10 s
 * and reports the process CPU time (process.cpuUsage) it cost, then compares,
 * on the same groups in the same run, one tick of the Sampler with one pass of
 * the JS readers (driver.stats: kept-open pread + JS parsing of every file)
 * and with opening every file per sample. Prints figures; asserts only that
 * the ticks happened and read every group.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLayout } from '../main/engine/cgroups/detect';
import { type CgroupDriver, type CgroupHandle, createDriver } from '../main/engine/cgroups/driver';
import { Sampler } from '../main/engine/cgroups/sampler';
import { runRounds, verdicts } from './conditions';

const GROUPS = 100;
const SECONDS = 10;
const isRoot = process.getuid?.() === 0;

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

describe.runIf(isRoot)('sampling 100 cgroups', () => {
  const handles: CgroupHandle[] = [];
  let driver: CgroupDriver | null = null;

  afterAll(async () => {
    for (const h of handles) await driver?.destroy(h);
  });

  it(`costs little CPU at 1 Hz (${SECONDS} s)`, async () => {
    const layout = detectLayout();
    const d = (driver = createDriver(layout));
    for (let i = 0; i < GROUPS; i++) handles.push(d.create(`bench-${i}`));
    const fdsBefore = fs.readdirSync('/proc/self/fd').length;
    const tickCpuUs: number[] = [];
    let rowsPerTick = Infinity;
    let timed = true;
    const sampler = new Sampler(d, {
      intervalMs: 1000,
      measureCpu: true,
      onSample: (b) => {
        if (timed) tickCpuUs.push(sampler.lastTickCpuUs);
        rowsPerTick = Math.min(rowsPerTick, b.ids.length);
      },
    });
    const a0 = process.cpuUsage();
    handles.forEach((h, i) => sampler.add(`bench-${i}`, h));
    const addMs = cpuMs(a0);
    const fds = fs.readdirSync('/proc/self/fd').length - fdsBefore;

    const c0 = process.cpuUsage();
    const w0 = performance.now();
    sampler.start();
    await new Promise((r) => setTimeout(r, SECONDS * 1000 + 50));
    sampler.stop();
    const cpu = cpuMs(c0);
    const wall = performance.now() - w0;
    timed = false;
    const timerTicks = sampler.ticks;
    // The first tick is the first read of every file (the kernel sets up each seq_file).
    const [first = 0, ...rest] = tickCpuUs;
    const steady = rest.reduce((a, b) => a + b, 0) / Math.max(1, rest.length) / 1000;
    const counters = sampler.counters();

    // Same groups, same run: one Sampler tick vs the JS readers vs open+read+close per file.
    const reopen = createDriver(layout, { keepFilesOpen: false });
    const ROUNDS = 20;
    const time = (fn: () => void) => {
      fn(); // warm (opens the JS reader's files)
      const c = process.cpuUsage();
      for (let r = 0; r < ROUNDS; r++) fn();
      return cpuMs(c) / ROUNDS;
    };
    let native = 0;
    let kept = 0;
    let opened = 0;
    const rounds = await runRounds('bench', () => {
      native = time(() => sampler.sampleOnce());
      kept = time(() => handles.forEach((h) => d.stats(h)));
      opened = time(() => handles.forEach((h) => reopen.stats(h)));
      return { 'JS readers / native': kept / native, 'open+read+close / native': opened / native };
    });
    sampler.close();

    console.log(
      [
        `[bench] ${layout.mode} host, ${GROUPS} groups, ${timerTicks} timer ticks over all groups in ${(wall / 1000).toFixed(1)} s`,
        `[bench] process CPU over the run: ${cpu.toFixed(1)} ms = ${((cpu / wall) * 100).toFixed(2)}% of one CPU (includes the test runner)`,
        `[bench]   inside the sampler: first tick ${(first / 1000).toFixed(2)} ms CPU, then ${steady.toFixed(2)} ms CPU per tick = ${((steady / GROUPS) * 1000).toFixed(0)} µs per group → ${(steady / 10).toFixed(3)}% of one CPU at 1 Hz; adding the ${GROUPS} groups (opening ${fds} files) ${addMs.toFixed(1)} ms`,
        `[bench]   files held open: ${fds} (${(fds / GROUPS).toFixed(0)} per group); ${counters.preads} preads in ${timerTicks} timer ticks; wall per tick ${(sampler.busyMs / Math.max(1, timerTicks)).toFixed(2)} ms`,
        `[bench] one pass over ${GROUPS} groups, CPU (last round): Sampler tick (native StatBatch) ${native.toFixed(2)} ms; JS readers driver.stats (kept-open pread, every file) ${kept.toFixed(2)} ms; open+read+close ${opened.toFixed(2)} ms → native ${(kept / native).toFixed(1)}× / ${(opened / native).toFixed(1)}× cheaper`,
        // The target of the sampling work: the native batch is the cheaper path.
        ...verdicts(rounds, [{ name: 'JS readers / native', kind: 'min', value: 1 }]).map((l) => `[bench] ${l}`),
      ].join('\n'),
    );
    expect(timerTicks).toBeGreaterThanOrEqual(SECONDS - 1);
    expect(rowsPerTick).toBe(GROUPS);
  }, 60_000);
});
