/**
 * CPU cost of sampling 100 real cgroups (root, v1 or hybrid host).
 *
 *   npx vitest run -c bench/vitest.bench.config.ts cgroup-sampling
 *
 * (bench/ is outside the unit-test include of vitest.config.ts; the bench
 * config includes the *.bench.test.ts files here.) Creates berth/bench-0..99
 * in every hierarchy the driver uses, runs the Sampler at its default 1 s interval for 10 s and reports the
 * process CPU time (process.cpuUsage) it cost, then compares, on the same
 * groups in the same run, the kept-open pread reader with opening every file
 * per sample. Prints figures; asserts nothing about time.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLayout } from '../main/engine/cgroups/detect';
import { type CgroupDriver, type CgroupHandle, createDriver } from '../main/engine/cgroups/driver';
import { Sampler } from '../main/engine/cgroups/sampler';

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
    const sampler = new Sampler(d, { intervalMs: 1000, onSample: () => tickCpuUs.push(sampler.lastTickCpuUs) });
    handles.forEach((h, i) => sampler.add(`bench-${i}`, h));

    const c0 = process.cpuUsage();
    const w0 = performance.now();
    sampler.start();
    await new Promise((r) => setTimeout(r, SECONDS * 1000 + 50));
    sampler.stop();
    const cpu = cpuMs(c0);
    const wall = performance.now() - w0;
    const fds = fs.readdirSync('/proc/self/fd').length - fdsBefore;
    const [cold = 0, ...warm] = tickCpuUs;
    const steady = warm.reduce((a, b) => a + b, 0) / Math.max(1, warm.length) / 1000;

    // Same groups, same run: pread on kept-open files vs open/read/close per file.
    const reopen = createDriver(layout, { keepFilesOpen: false });
    const ROUNDS = 20;
    const time = (fn: () => void) => {
      const c = process.cpuUsage();
      for (let r = 0; r < ROUNDS; r++) fn();
      return cpuMs(c) / ROUNDS;
    };
    const kept = time(() => handles.forEach((h) => d.stats(h)));
    const opened = time(() => handles.forEach((h) => reopen.stats(h)));

    console.log(
      [
        `[bench] ${layout.mode} host, ${GROUPS} groups, ${sampler.ticks} samples of all groups in ${(wall / 1000).toFixed(1)} s`,
        `[bench] process CPU over the run: ${cpu.toFixed(1)} ms = ${((cpu / wall) * 100).toFixed(2)}% of one CPU (includes the test runner)`,
        `[bench]   inside the sampler: ${(sampler.cpuUs / 1000).toFixed(1)} ms CPU; first tick (opens ${fds} files) ${(cold / 1000).toFixed(1)} ms, then ${steady.toFixed(1)} ms per tick = ${((steady / GROUPS) * 1000).toFixed(0)} µs per group → ${(steady / 10).toFixed(2)}% of one CPU at 1 Hz`,
        `[bench]   files held open: ${fds} (${(fds / GROUPS).toFixed(0)} per group); wall per tick ${(sampler.busyMs / Math.max(1, sampler.ticks)).toFixed(1)} ms`,
        `[bench] one pass over ${GROUPS} groups, CPU: kept-open pread ${kept.toFixed(2)} ms vs open+read+close ${opened.toFixed(2)} ms → ${(opened / kept).toFixed(2)}× cheaper`,
      ].join('\n'),
    );
    expect(sampler.ticks).toBeGreaterThanOrEqual(SECONDS - 1);
  }, 60_000);
});
