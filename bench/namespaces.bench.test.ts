/**
 * Namespace inventory vs lsns on a host with ~2,000 processes.
 *
 *   npx vitest run -c bench/vitest.bench.config.ts bench/namespaces.bench.test.ts
 *
 * Tops the host up to BERTH_BENCH_PROCS processes (default 2000) with `sleep`
 * processes: three groups in their own pid+net+mount namespaces (unshare) and
 * one in the host's, then times, interleaved run by run after a warm-up:
 * our scan in-process (several option sets, and the JS walk it falls back
 * to without the addon), `lsns --json` as a command, and
 * `/bin/true` as the spawn baseline, whose median is subtracted from lsns's
 * for an estimate of lsns's own work. CPU time (ours: process.cpuUsage; lsns:
 * the child's user + system from /proc/self/stat cutime/cstime, 10 ms ticks)
 * is printed too: it is what stays comparable on a busy machine. Prints a
 * table and ratios; no timed assertions. Every process started here is killed in afterAll.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanNamespaces, type ScanOptions } from '../main/engine/namespaces/scan';
import { load1, ROUNDS, verdicts, type Round, roundLine } from './conditions';

const TARGET = Number(process.env['BERTH_BENCH_PROCS'] ?? 2000);
/** Runs per round; ROUNDS rounds (bench/conditions.ts), each with its own ratio. */
const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 5);
const WARMUP = 3;
const NS_GROUPS = 3;
const LSNS_ARGS = ['--json', '--output', 'NS,TYPE,PID,NPROCS'];
/** USER_HZ: the unit of /proc/PID/stat times (100 on every Linux ABI Node runs on). */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const isRoot = process.getuid?.() === 0;
const hasLsns = spawnSync('lsns', ['--version']).status === 0;

const groups: ChildProcess[] = [];

function processCount(): number {
  let n = 0;
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 49 && c <= 57) n++;
  }
  return n;
}

function sleepers(n: number): string {
  return `i=0; while [ $i -lt ${n} ]; do sleep 600 & i=$((i+1)); done; wait`;
}

/** CPU time (user + system, ms) of this process's reaped children, from /proc/self/stat cutime + cstime. */
function childCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[13]) + Number(f[14]); // fields 16 and 17
  return (ticks * 1000) / CLK_TCK;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function killGroups(): void {
  for (const g of groups.splice(0)) {
    if (g.pid === undefined) continue;
    try {
      process.kill(-g.pid, 'SIGKILL'); // the whole process group (detached)
    } catch {
      /* gone */
    }
    try {
      g.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

describe.runIf(isRoot && hasLsns)('namespace scan vs lsns', () => {
  let before = 0;
  let started = 0;

  beforeAll(async () => {
    before = processCount();
    const need = Math.max(0, TARGET - before);
    const per = Math.ceil(need / (NS_GROUPS + 1));
    for (let g = 0; g <= NS_GROUPS && started < need; g++) {
      const n = Math.min(per, need - started);
      // Groups 0..2: own pid/net/mount namespaces; killing unshare kills their
      // init (--kill-child), which takes the whole pid namespace down.
      const args =
        g < NS_GROUPS
          ? ['unshare', ['--fork', '--kill-child', '--pid', '--net', '--mount-proc', 'sh', '-c', sleepers(n)]]
          : ['sh', ['-c', sleepers(n)]];
      groups.push(spawn(args[0] as string, args[1] as string[], { stdio: 'ignore', detached: true }));
      started += n;
    }
    const deadline = Date.now() + 120_000;
    while (processCount() < before + started * 0.98 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 300_000);

  afterAll(async () => {
    killGroups();
    // Leave the host as we found it: wait until the sleepers are reaped.
    const deadline = Date.now() + 30_000;
    while (processCount() > before + 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }, 60_000);

  it('times a full scan against lsns --json', () => {
    const variants: { label: string; opts: ScanOptions }[] = [
      { label: 'berth scan (default: threads, mounts)', opts: {} },
      { label: '  without threads', opts: { threads: false } },
      { label: '  without mounts', opts: { mounts: false } },
      { label: '  without ioctls, threads, mounts (walk)', opts: { ioctls: null, threads: false, mounts: false } },
      { label: '  with fds', opts: { fds: true } },
      { label: '  JS walk (fallback; fault-injection tests)', opts: { walk: 'js' } },
      { label: 'namespaces.graph scan (processLimit 50)', opts: { processLimit: 50 } },
    ];
    const wall = variants.map(() => [] as number[]);
    const cpu = variants.map(() => [] as number[]);
    const phases: Record<'processes' | 'mounts' | 'fds' | 'ioctls', number[]> = {
      processes: [],
      mounts: [],
      fds: [],
      ioctls: [],
    };
    const lsnsWall: number[] = [];
    const lsnsCpu: number[] = [];
    const trueWall: number[] = [];
    let graph = scanNamespaces();
    let fdGraph = graph;
    let lsnsOut = '';

    const roundLoads: number[] = [];
    for (let r = 0; r < WARMUP + RUNS * ROUNDS; r++) {
      const keep = r >= WARMUP;
      if (keep && (r - WARMUP) % RUNS === 0) roundLoads.push(load1());
      variants.forEach((v, i) => {
        const c = process.cpuUsage();
        const t = performance.now();
        const g = scanNamespaces(v.opts);
        const ms = performance.now() - t;
        const used = process.cpuUsage(c);
        if (i === 0) graph = g;
        if (v.opts.fds) fdGraph = g;
        if (!keep) return;
        wall[i]!.push(ms);
        cpu[i]!.push((used.user + used.system) / 1000);
        if (v.opts.fds) for (const k of Object.keys(phases) as (keyof typeof phases)[]) phases[k].push(g.phasesMs[k]);
      });
      const c0 = childCpuMs();
      let t = performance.now();
      const l = spawnSync('lsns', LSNS_ARGS, { encoding: 'utf8', maxBuffer: 64 << 20 });
      const lsnsMs = performance.now() - t;
      const lsnsCpuMs = childCpuMs() - c0;
      t = performance.now();
      spawnSync('/bin/true');
      const trueMs = performance.now() - t;
      expect(l.status).toBe(0);
      lsnsOut = l.stdout;
      if (keep) {
        lsnsWall.push(lsnsMs);
        lsnsCpu.push(lsnsCpuMs);
        trueWall.push(trueMs);
      }
    }

    const listed = (JSON.parse(lsnsOut) as { namespaces: { ns: number; type: string; nprocs: number }[] }).namespaces;
    const lsnsProcs = listed.filter((n) => n.type === 'user').reduce((a, n) => a + n.nprocs, 0);
    const ours = wall.map(median);
    const oursCpu = cpu.map(median);
    const lsnsMs = median(lsnsWall);
    const trueMs = median(trueWall);
    const lsnsOwn = Math.max(lsnsMs - trueMs, 0.001);
    const lsnsCpuMs = median(lsnsCpu);
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    // Each round's ratio from that round's own medians (runs are kept in order).
    const rounds: Round[] = roundLoads.map((l, k) => {
      const part = (xs: number[]) => median(xs.slice(k * RUNS, (k + 1) * RUNS));
      const lsns = part(lsnsWall);
      return {
        index: k + 1,
        load: l,
        ratios: {
          'berth / lsns, wall': part(wall[0]!) / lsns,
          'berth / lsns, wall adjusted': part(wall[0]!) / Math.max(lsns - part(trueWall), 0.001),
          'berth / lsns, cpu': part(cpu[0]!) / part(lsnsCpu),
        },
      };
    });

    const num = (x: number | undefined): string => (x === undefined ? '' : x.toFixed(1)).padStart(10);
    const row = (label: string, med: number, min?: number, cpuMs?: number, extra = ''): string =>
      `${label.padEnd(44)}${num(med)}${num(min)}${num(cpuMs)}  ${extra}`;
    const ratio = (a: number, b: number): string => (a / b).toFixed(2);
    const lines = [
      '',
      `namespace scan on ${processCount()} processes (/proc entries; ${started} sleep processes added here, ` +
        `${before} before); ${ROUNDS} rounds of ${RUNS} runs after ${WARMUP} warm-up, interleaved; load average ${load} at the end`,
      `berth (native walk, ${os.cpus().length} CPUs) read ${graph.processCount} processes + ${graph.threadCount} threads, ` +
        `${graph.namespaces.length} namespaces, ${graph.errors.length} errors; lsns counted ${lsnsProcs} processes, ` +
        `${listed.length} namespaces`,
      '',
      `${''.padEnd(44)}${'wall med'.padStart(10)}${'wall min'.padStart(10)}${'cpu med'.padStart(10)}   (ms)`,
      ...variants.map((v, i) =>
        row(
          v.label,
          ours[i]!,
          Math.min(...wall[i]!),
          oursCpu[i]!,
          v.opts.fds ? `(${fdGraph.coverage.fdsRead} fd links read)` : '',
        ),
      ),
      row('lsns --json (spawn + run)', lsnsMs, Math.min(...lsnsWall), lsnsCpuMs, '(cpu: user+sys of the child)'),
      row('/bin/true (spawn baseline)', trueMs, Math.min(...trueWall)),
      row('lsns minus /bin/true (its own work)', lsnsOwn),
      '',
      `phases of the scan with fds (median ms): walk of processes + threads ${median(phases.processes).toFixed(1)}, ` +
        `mountinfo ${median(phases.mounts).toFixed(1)}, fd links ${median(phases.fds).toFixed(1)}, ` +
        `one ioctl batch for ${fdGraph.namespaces.length} namespaces ${median(phases.ioctls).toFixed(2)}`,
      '',
      `ratio berth / lsns, wall raw:      ${ratio(ours[0]!, lsnsMs)}   (with fds ${ratio(ours[4]!, lsnsMs)})`,
      `ratio berth / lsns, wall adjusted: ${ratio(ours[0]!, lsnsOwn)}   (with fds ${ratio(ours[4]!, lsnsOwn)})`,
      `ratio berth / lsns, cpu:           ${ratio(oursCpu[0]!, lsnsCpuMs)}   (with fds ${ratio(oursCpu[4]!, lsnsCpuMs)})`,
      `ratio namespaces.graph scan / lsns: wall ${ratio(ours[6]!, lsnsMs)}, adjusted ${ratio(ours[6]!, lsnsOwn)}, ` +
        `cpu ${ratio(oursCpu[6]!, lsnsCpuMs)}`,
      '',
      ...rounds.map(roundLine),
      // The speed to beat is lsns (main/engine/namespaces/README.md).
      ...verdicts(rounds, [{ name: 'berth / lsns, wall', kind: 'max', value: 1 }]),
      '',
    ];
    console.log(lines.join('\n'));

    // Sanity, not timing: the scan saw the processes it was timed on.
    expect(graph.processCount).toBeGreaterThan(Math.min(TARGET, before + started) * 0.9);
  }, 900_000);
});
