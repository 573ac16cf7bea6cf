/**
 * What live stats cost: the Berth helper sampling 100 running containers at
 * 1 Hz, against `podman stats --no-stream` over 100 podman containers run
 * once a second, measured in the same run (root only).
 *
 *   npx electron-vite build     # the helper and the CLI run from out/
 *   npx vitest run -c bench/vitest.bench.config.ts stats-sampling
 *
 * Berth: a real helper (startTestHelper) in a private run dir and data root;
 * the busybox test image is loaded through the CLI (`berth load`), then 100
 * `sleep 3600` containers with `--network none` are created and started over
 * one RPC connection, 10 at a time. The helper samples every second on its
 * own; the bench reads the helper's utime+stime from /proc/PID/stat (clock
 * ticks, `getconf CLK_TCK`) around
 *   - an idle baseline: the same helper, engine up, 0 containers (20 s);
 *   - the main window: 100 containers, one RPC connection held open, so each
 *     tick is also serialised and pushed as a `resources.sample` event (the
 *     app's case; 60 ticks, aligned on the events);
 *   - a shorter window with no connection at all (sampling alone).
 * Podman (4.x): a private store (--root/--runroot/--tmpdir under a temp dir,
 * vfs storage driver, runc, cgroupfs, file events), the same busybox tar
 * `podman load`ed, 100 `podman run -d --network none` (10 at a time), then for
 * 60 s one `podman stats --no-stream --format json` started every second (the
 * next one when the previous ends if it took longer); each run's CPU is its
 * rusage with every descendant it waited for (/usr/bin/time, or the
 * cutime/cstime of a wrapping sh). One extra run under `strace -f` counts
 * the programs podman stats executes (conmon/runc would show there).
 *
 * Also printed, for context: the CPU of Berth's 100 container monitors and of
 * podman's 100 conmons during their windows. Prints one table; asserts only
 * that 100 containers ran and that resources.stats returned 100 rows (no
 * timed assertions: the machines are shared). Everything is removed in
 * afterAll. Knobs: BERTH_BENCH_CONTAINERS (100), BERTH_BENCH_SECONDS (60),
 * BERTH_BENCH_IDLE_SECONDS (20), BERTH_BENCH_PARALLEL (10), BERTH_BENCH_PODMAN=0 (skip
 * podman), BERTH_HELPER_PROFILE_DIR (a CPU profile of the helper; prints the
 * main window's monotonic µs to cut it with). A profiled helper is slower:
 * its figures are for finding costs, not for the table.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLayout } from '../main/engine/cgroups/detect';
import { RpcClient } from '../main/helper/client/rpc-client';
import { writeBusyboxImage, BUSYBOX_BIN } from '../main/testing/busybox-image';
import { CLI_JS, HELPER_JS, isRoot, startTestHelper, tempDir, type TestHelper } from '../main/testing/helper-process';
import { LOAD_LIMIT, load1, ROUNDS, roundLine, verdicts, type Round } from './conditions';

const N = Number(process.env['BERTH_BENCH_CONTAINERS'] ?? 100);
const SECONDS = Number(process.env['BERTH_BENCH_SECONDS'] ?? 60);
const IDLE_SECONDS = Number(process.env['BERTH_BENCH_IDLE_SECONDS'] ?? 20);
const PARALLEL = Number(process.env['BERTH_BENCH_PARALLEL'] ?? 10);
const NO_CONN_SECONDS = Math.max(5, Math.round(IDLE_SECONDS));

const run = promisify(execFile);
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const PODMAN = ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => fs.existsSync(p)) ?? null;
const TIME_BIN = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const STRACE = ['/usr/bin/strace', '/bin/strace'].find((p) => fs.existsSync(p)) ?? null;
const HAS_RUNC = spawnSync('runc', ['--version']).status === 0;
const canRun = isRoot && fs.existsSync(HELPER_JS) && BUSYBOX_BIN !== undefined;

// ---------------------------------------------------------------- /proc helpers

interface ProcCpu {
  /** utime + stime, ms. */
  self: number;
  /** cutime + cstime (children it waited for), ms. */
  children: number;
}

/** Fields after the comm: state is [0], utime [11], stime [12], cutime [13], cstime [14]. */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function procCpu(pid: number): ProcCpu | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const f = statFields(text);
  const ms = (i: number) => (Number(f[i]) * 1000) / CLK_TCK;
  return { self: ms(11) + ms(12), children: ms(13) + ms(14) };
}

/** Summed utime+stime (ms) of a set of pids; the ones gone are left out and counted. */
function sumCpu(pids: readonly number[]): { ms: number; missing: number } {
  let ms = 0;
  let missing = 0;
  for (const p of pids) {
    const c = procCpu(p);
    if (c) ms += c.self;
    else missing++;
  }
  return { ms, missing };
}

/** utime+stime (ms) of each thread of pid, by thread name (comm), summed over same-named threads. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const f = statFields(text);
      out.set(name, (out.get(name) ?? 0) + ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK);
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

/** "name ms/s, …" of the threads that used CPU between two threadCpu snapshots. */
function threadSplit(a: Map<string, number>, b: Map<string, number>, seconds: number): string {
  return [...b]
    .map(([name, ms]) => [name, (ms - (a.get(name) ?? 0)) / seconds] as const)
    .filter(([, r]) => r > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([name, r]) => `${name} ${r.toFixed(2)}`)
    .join(', ');
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function pool<T, R>(items: readonly T[], width: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------- results

interface Window {
  label: string;
  wallMs: number;
  cpuMs: number;
  /** Samples (Berth ticks / podman runs) inside the window. */
  samples: number;
  note?: string;
}

const perSec = (w: Window) => (w.cpuMs / w.wallMs) * 1000;
const pctCore = (msPerSec: number) => msPerSec / 10;

/** One round of the main window (bench/conditions.ts): the load before it, and the CPU it cost. */
interface RoundWindow {
  load: number;
  wallMs: number;
  cpuMs: number;
}

const berth: {
  rounds: RoundWindow[];
  idle?: Window;
  loaded?: Window;
  noConn?: Window;
  monitors?: Window;
  statsRows?: number;
  running?: number;
  rssIdle?: number;
  rssLoaded?: number;
  helperChildrenMs?: number;
  /** The main window's CPU by helper thread (ms/s). */
  threads?: string;
  setupS?: number;
} = { rounds: [] };
const podman: {
  rounds: RoundWindow[];
  skipped?: string;
  runs?: Window;
  conmons?: Window;
  rows?: { min: number; max: number };
  wallPerRun?: { median: number; max: number };
  overruns?: number;
  failures?: number;
  execs?: string;
  storageDriver?: string;
  runtime?: string;
  setupS?: number;
  cpuMethod?: string;
} = { rounds: [] };

// ---------------------------------------------------------------- Berth

let helper: TestHelper | null = null;
let rpc: RpcClient | null = null;
let work: string | null = null;
const berthIds: string[] = [];

async function connect(socketPath: string): Promise<RpcClient> {
  const c = await RpcClient.connect(socketPath);
  c.on('close', () => undefined);
  return c;
}

/** Resolves after `count` resources.sample events (with their row counts). */
function ticks(c: RpcClient, count: number, timeoutMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const rows: number[] = [];
    const timer = setTimeout(() => {
      c.off('notification', on);
      reject(new Error(`only ${rows.length} of ${count} resources.sample events in ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (method: string, params: unknown) => {
      // The helper sends the sample as columns (engine/resources/sample-wire.ts).
      const p = params as { name?: string; columns?: { ids?: unknown[] } } | null;
      if (method !== 'event' || p?.name !== 'resources.sample') return;
      rows.push(p.columns?.ids?.length ?? 0);
      if (rows.length >= count) {
        clearTimeout(timer);
        c.off('notification', on);
        resolve(rows);
      }
    };
    c.on('notification', on);
  });
}

async function cleanupBerth(): Promise<void> {
  if (helper && rpc?.closed !== false) rpc = await connect(helper.socketPath).catch(() => null);
  if (rpc && helper) {
    const all = (await rpc.call('containers.list', { all: true }).catch(() => [])) as Array<{ id: string }>;
    const ids = [...new Set([...berthIds, ...all.map((c) => c.id)])];
    const errors: string[] = [];
    await pool(ids, PARALLEL, async (id) => {
      try {
        await rpc!.call('containers.remove', { id, force: true }, 60_000);
      } catch (err) {
        if (!/not found|no such/i.test((err as Error).message))
          errors.push(`${id.slice(0, 12)}: ${(err as Error).message}`);
      }
    });
    if (errors.length) console.log(`[bench] berth rm -f failed for ${errors.length}: ${errors.slice(0, 3).join('; ')}`);
    berthIds.length = 0;
  }
  rpc?.close();
  rpc = null;
  await helper?.stop();
  helper = null;
}

// ---------------------------------------------------------------- podman

let podRoot: string | null = null;

function podmanGlobal(root: string): string[] {
  return [
    '--root',
    path.join(root, 'root'),
    '--runroot',
    path.join(root, 'runroot'),
    '--tmpdir',
    path.join(root, 'tmp'),
    '--storage-driver',
    'vfs',
    '--runtime',
    HAS_RUNC ? 'runc' : 'crun',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
  ];
}

async function podmanRun(root: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await run(PODMAN!, [...podmanGlobal(root), ...args], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
  return r.stdout;
}

/**
 * One `podman stats` with its CPU: the rusage of podman and every descendant
 * it waited for, from /usr/bin/time, else from a wrapping sh's cutime/cstime.
 */
function measuredStats(
  root: string,
  scratch: string,
): Promise<{ cpuMs: number; wallMs: number; rows: number; ok: boolean }> {
  const args = [...podmanGlobal(root), 'stats', '--no-stream', '--format', 'json'];
  const out = path.join(scratch, 'stats.json');
  const timeFile = path.join(scratch, 'time.txt');
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = TIME_BIN
      ? spawn(TIME_BIN, ['-f', '%e %U %S', '-o', timeFile, PODMAN!, ...args], {
          stdio: ['ignore', fs.openSync(out, 'w'), 'ignore'],
        })
      : spawn('sh', ['-c', '"$@" >"$0" 2>/dev/null; s=$?; cat /proc/$$/stat; exit $s', out, PODMAN!, ...args], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
    let shStat = '';
    child.stdout?.on('data', (d: Buffer) => (shStat += d.toString()));
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      let cpuMs: number;
      if (TIME_BIN) {
        // GNU time writes "Command exited with non-zero status N" first on failure.
        const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
        const [, u, s] = last.split(' ').map(Number);
        cpuMs = ((u ?? NaN) + (s ?? NaN)) * 1000;
      } else {
        const f = statFields(shStat.trim());
        cpuMs = ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK;
      }
      let rows: number;
      try {
        rows = (JSON.parse(fs.readFileSync(out, 'utf8')) as unknown[]).length;
      } catch {
        rows = -1;
      }
      resolve({ cpuMs, wallMs, rows, ok: code === 0 });
    });
  });
}

function unmountUnder(dir: string): void {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}

/** Processes whose command line names `dir` (conmon, and the `podman container cleanup` it runs on exit). */
function processesUsing(dir: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(dir)) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function waitUntilUnused(dir: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesUsing(dir);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(250);
  }
}

/** Hierarchies where podman's cgroupfs manager makes libpod_parent; the ones that existed before are left alone. */
const LIBPOD_PARENT_BEFORE = new Set(
  fs.existsSync('/sys/fs/cgroup')
    ? fs.readdirSync('/sys/fs/cgroup').filter((h) => fs.existsSync(`/sys/fs/cgroup/${h}/libpod_parent`))
    : [],
);

function removeLibpodParent(): void {
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    const d = `/sys/fs/cgroup/${h}/libpod_parent`;
    if (LIBPOD_PARENT_BEFORE.has(h) || !fs.existsSync(d)) continue;
    for (const sub of ['conmon', '']) {
      try {
        fs.rmdirSync(path.join(d, sub)); // only empty groups go
      } catch {
        /* not there, or in use */
      }
    }
  }
}

async function cleanupPodman(): Promise<void> {
  if (!podRoot || !PODMAN) return;
  const root = podRoot;
  podRoot = null;
  await podmanRun(root, ['rm', '-f', '-a', '-t', '0'], 300_000).catch((e: Error) =>
    console.log(`[bench] podman rm -f -a: ${e.message.split('\n')[0]}`),
  );
  // conmon runs `podman … container cleanup` after each exit: let those end before removing the store.
  await waitUntilUnused(root, 60_000);
  await podmanRun(root, ['rmi', '-a', '-f'], 120_000).catch((e: Error) =>
    console.log(`[bench] podman rmi -a: ${e.message.split('\n')[0]}`),
  );
  const left = await waitUntilUnused(root, 30_000);
  if (left.length) console.log(`[bench] processes still using ${root}: ${left.join(' ')}`);
  unmountUnder(root);
  fs.rmSync(root, { recursive: true, force: true });
  removeLibpodParent();
}

// ---------------------------------------------------------------- the bench

describe.runIf(canRun)(`stats of ${N} containers at 1 Hz: Berth helper vs podman stats`, () => {
  afterAll(async () => {
    await cleanupBerth().catch((e: Error) => console.log(`[bench] berth cleanup: ${e.message}`));
    await cleanupPodman().catch((e: Error) => console.log(`[bench] podman cleanup: ${e.message}`));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 600_000);

  it(`Berth: the helper's CPU sampling ${N} running containers (${SECONDS} s)`, async () => {
    work = tempDir('berth-bench-stats-');
    const tar = path.join(work, 'busybox.tar');
    await writeBusyboxImage(tar);

    const setup0 = performance.now();
    helper = await startTestHelper();
    const pid = helper.child.pid!;
    const env = { ...process.env, BERTH_HELPER_SOCKET: helper.socketPath };
    await run(process.execPath, [CLI_JS, 'load', '-i', tar, '-q', '--no-start'], { env });
    rpc = await connect(helper.socketPath);
    // Bring the engine up (image store, cgroup driver, adoption) before the baseline.
    expect(await rpc.call('containers.list', { all: true })).toEqual([]);
    await sleep(2000);

    // Idle baseline: 0 containers, the engine up, one connection open.
    {
      const c0 = procCpu(pid)!;
      const w0 = performance.now();
      await sleep(IDLE_SECONDS * 1000);
      const c1 = procCpu(pid)!;
      berth.idle = { label: 'idle', wallMs: performance.now() - w0, cpuMs: c1.self - c0.self, samples: 0 };
      berth.rssIdle = rssMiB(pid);
    }

    // 100 containers, PARALLEL at a time, over the one connection.
    await pool(
      Array.from({ length: N }, (_, i) => i),
      PARALLEL,
      async (i) => {
        const r = (await rpc!.call(
          'containers.create',
          { image: 'busybox:latest', name: `stats-bench-${i}`, command: ['sleep', '3600'], network: 'none' },
          120_000,
        )) as { id: string };
        berthIds.push(r.id);
        const s = (await rpc!.call('containers.start', { id: r.id }, 120_000)) as { state: string };
        expect(s.state).toBe('running');
      },
    );
    const running = (await rpc.call('containers.list', { all: false })) as Array<{ id: string; state: string }>;
    berth.running = running.filter((c) => c.state === 'running').length;
    expect(berth.running).toBe(N);
    // The sampler has ticked a few times over all of them.
    for (;;) {
      const rows = await ticks(rpc, 3, 30_000);
      if (rows.every((r) => r === N)) break;
    }
    const stats = (await rpc.call('resources.stats', {})) as Array<{ row: { id: string } }>;
    berth.statsRows = stats.length;
    expect(new Set(stats.map((s) => s.row.id)).size).toBe(N);
    const monitorPids = await pool(berthIds, PARALLEL, async (id) => {
      const d = (await rpc!.call('containers.inspect', { id })) as { monitorPid: number | null };
      return d.monitorPid;
    });
    const monitors = monitorPids.filter((p): p is number => typeof p === 'number');
    berth.setupS = (performance.now() - setup0) / 1000;

    // Main window: SECONDS ticks, aligned on the tick events (the connection is held open).
    {
      await ticks(rpc, 1, 10_000);
      const c0 = procCpu(pid)!;
      const t0 = threadCpu(pid);
      const m0 = sumCpu(monitors);
      const w0 = performance.now();
      const mono0 = process.hrtime.bigint() / 1000n;
      // ROUNDS sub-windows, each with the load before it (bench/conditions.ts).
      const rows: number[] = [];
      for (let k = 0; k < ROUNDS; k++) {
        const n = Math.round(((k + 1) * SECONDS) / ROUNDS) - Math.round((k * SECONDS) / ROUNDS);
        const load = load1();
        const rc0 = procCpu(pid)!;
        const rw0 = performance.now();
        rows.push(...(await ticks(rpc, n, (n + 30) * 1000)));
        berth.rounds.push({ load, wallMs: performance.now() - rw0, cpuMs: procCpu(pid)!.self - rc0.self });
      }
      const c1 = procCpu(pid)!;
      // The window in CLOCK_MONOTONIC µs, the clock of a V8 .cpuprofile (BERTH_HELPER_PROFILE_DIR).
      if (process.env['BERTH_HELPER_PROFILE_DIR'])
        console.log(`[bench] profile window µs: ${mono0}..${process.hrtime.bigint() / 1000n}`);
      const m1 = sumCpu(monitors);
      const wallMs = performance.now() - w0;
      berth.loaded = {
        label: 'loaded',
        wallMs,
        cpuMs: c1.self - c0.self,
        samples: rows.length,
        note: `rows per tick ${Math.min(...rows)}..${Math.max(...rows)}`,
      };
      berth.helperChildrenMs = c1.children - c0.children;
      berth.threads = threadSplit(t0, threadCpu(pid), wallMs / 1000);
      berth.monitors = {
        label: 'monitors',
        wallMs,
        cpuMs: m1.ms - m0.ms,
        samples: monitors.length - m1.missing,
      };
      berth.rssLoaded = rssMiB(pid);
      expect(Math.min(...rows)).toBe(N);
    }

    // Sampling alone: no connection at all.
    {
      rpc.close();
      rpc = null;
      await sleep(1500);
      const c0 = procCpu(pid)!;
      const w0 = performance.now();
      await sleep(NO_CONN_SECONDS * 1000);
      const c1 = procCpu(pid)!;
      const wallMs = performance.now() - w0;
      berth.noConn = { label: 'no connection', wallMs, cpuMs: c1.self - c0.self, samples: Math.round(wallMs / 1000) };
    }

    rpc = await connect(helper.socketPath);
    const still = (await rpc.call('containers.list', { all: false })) as unknown[];
    expect(still.length).toBe(N);
    // Free the machine before podman runs (their monitors/conmons would be each other's noise).
    await cleanupBerth();
  }, 600_000);

  it(`podman: podman stats --no-stream over ${N} containers once a second (${SECONDS} s)`, async () => {
    if (!PODMAN || process.env['BERTH_BENCH_PODMAN'] === '0') {
      podman.skipped = PODMAN ? 'BERTH_BENCH_PODMAN=0' : 'podman is not installed';
      console.log(`[bench] podman part skipped: ${podman.skipped}`);
      return;
    }
    work ??= tempDir('berth-bench-stats-');
    const tar = path.join(work, 'busybox.tar');
    if (!fs.existsSync(tar)) await writeBusyboxImage(tar);
    const root = (podRoot = tempDir('berth-bench-podman-'));
    const scratch = path.join(root, 'scratch');
    fs.mkdirSync(scratch);
    podman.runtime = HAS_RUNC ? 'runc' : 'crun (runc is missing)';
    podman.storageDriver = 'vfs';
    podman.cpuMethod = TIME_BIN ? '/usr/bin/time rusage' : 'sh cutime/cstime';

    const setup0 = performance.now();
    const loaded = await podmanRun(root, ['load', '-q', '-i', tar]);
    const image = /Loaded image(?:\(s\))?: (\S+)/.exec(loaded)?.[1] ?? 'busybox:latest';
    const ids = await pool(
      Array.from({ length: N }, (_, i) => i),
      PARALLEL,
      async (i) =>
        (
          await podmanRun(root, [
            'run',
            '-d',
            '--name',
            `stats-bench-${i}`,
            '--network',
            'none',
            '--ulimit',
            'nofile=1024:1024',
            '--ulimit',
            'nproc=1024:1024',
            image,
            'sleep',
            '3600',
          ])
        ).trim(),
    );
    const ps = (JSON.parse(await podmanRun(root, ['ps', '--format', 'json'])) as Array<{ State: string }>).filter(
      (c) => c.State === 'running',
    );
    expect(ps.length).toBe(N);
    const conmons = (await podmanRun(root, ['inspect', '--format', '{{.State.ConmonPid}}', ...ids]))
      .split('\n')
      .map(Number)
      .filter((p) => p > 0);
    // One warm-up run (the first builds caches), not counted.
    await measuredStats(root, scratch);
    podman.setupS = (performance.now() - setup0) / 1000;

    const cpu: number[] = [];
    const walls: number[] = [];
    const rows: number[] = [];
    let overruns = 0;
    let failures = 0;
    const m0 = sumCpu(conmons);
    const w0 = performance.now();
    let next = w0;
    // ROUNDS sub-windows of SECONDS / ROUNDS each, as Berth's (bench/conditions.ts).
    let round: RoundWindow | null = null;
    let roundStart = w0;
    while (next - w0 < SECONDS * 1000) {
      const k = Math.min(ROUNDS - 1, Math.floor(((next - w0) / (SECONDS * 1000)) * ROUNDS));
      if (podman.rounds.length <= k) {
        if (round) round.wallMs = performance.now() - roundStart;
        roundStart = performance.now();
        round = { load: load1(), wallMs: 0, cpuMs: 0 };
        podman.rounds.push(round);
      }
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      const start = performance.now();
      const r = await measuredStats(root, scratch);
      round!.cpuMs += r.cpuMs;
      cpu.push(r.cpuMs);
      walls.push(r.wallMs);
      rows.push(r.rows);
      if (!r.ok) failures++;
      if (r.wallMs > 1000) overruns++;
      next = Math.max(start + 1000, performance.now());
    }
    const wallMs = Math.max(performance.now(), w0 + SECONDS * 1000) - w0;
    if (round) round.wallMs = w0 + wallMs - roundStart;
    const m1 = sumCpu(conmons);
    podman.runs = { label: 'podman stats', wallMs, cpuMs: cpu.reduce((a, b) => a + b, 0), samples: cpu.length };
    podman.conmons = { label: 'conmons', wallMs, cpuMs: m1.ms - m0.ms, samples: conmons.length - m1.missing };
    podman.rows = { min: Math.min(...rows), max: Math.max(...rows) };
    podman.wallPerRun = { median: median(walls), max: Math.max(...walls) };
    podman.overruns = overruns;
    podman.failures = failures;

    // What one podman stats run executes (conmon/runc would show here), outside the window.
    if (STRACE) {
      const trace = path.join(scratch, 'strace.txt');
      spawnSync(
        STRACE,
        [
          '-f',
          '-qq',
          '-e',
          'trace=execve',
          '-e',
          'signal=none',
          '-o',
          trace,
          PODMAN,
          ...podmanGlobal(root),
          'stats',
          '--no-stream',
          '--format',
          'json',
        ],
        { stdio: 'ignore', timeout: 60_000 },
      );
      // Successful execve calls; the first is podman itself.
      const execs = fs
        .readFileSync(trace, 'utf8')
        .split('\n')
        .filter((l) => /execve\(/.test(l) && !/ = -1 /.test(l))
        .map((l) => (/execve\("[^"]+", \[(.*?)\]/.exec(l)?.[1] ?? '?').replace(/"/g, '').replace(/, /g, ' '))
        .slice(1);
      podman.execs = execs.length ? `${execs.length} (${[...new Set(execs)].join(', ')})` : '0';
    } else podman.execs = 'not checked (no strace)';

    expect(podman.rows.max).toBe(N);
    await cleanupPodman();
  }, 600_000);

  it('prints the comparison', () => {
    const layout = detectLayout();
    const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
    const lines: string[][] = [['', 'CPU ms/s', '% of one core', 'window', 'note']];
    if (!berth.idle || !berth.loaded || !berth.noConn) throw new Error('the Berth part did not complete: no table');
    const { idle, loaded, noConn } = berth;
    const idleRate = perSec(idle);
    const raw = perSec(loaded);
    const net = raw - idleRate;
    const rawNoConn = perSec(noConn);
    const netNoConn = rawNoConn - idleRate;
    lines.push([
      `Berth helper, ${N} containers, 1 subscriber`,
      f(raw, 2),
      f(pctCore(raw), 3),
      `${f(loaded.wallMs / 1000)} s, ${loaded.samples} ticks`,
      `${f(loaded.cpuMs, 0)} ms CPU = ${f(loaded.cpuMs / loaded.samples, 2)} ms/tick; ${loaded.note ?? ''}`,
    ]);
    lines.push([
      `Berth helper idle, 0 containers`,
      f(idleRate, 2),
      f(pctCore(idleRate), 3),
      `${f(idle.wallMs / 1000)} s`,
      `${f(idle.cpuMs, 0)} ms CPU`,
    ]);
    lines.push([
      `Berth helper net of idle`,
      f(net, 2),
      f(pctCore(net), 3),
      '',
      `≈ ${f((net / N) * 1000, 0)} µs per container per tick`,
    ]);
    lines.push([
      `Berth helper, ${N} containers, no connection`,
      f(rawNoConn, 2),
      f(pctCore(rawNoConn), 3),
      `${f(noConn.wallMs / 1000)} s`,
      `net of idle ${f(netNoConn, 2)} ms/s; ${f(raw - rawNoConn, 2)} ms/s less than with a subscriber (event fan-out + noise)`,
    ]);
    let ratio = NaN;
    let ratioNet = NaN;
    if (podman.runs) {
      const p = perSec(podman.runs);
      ratio = p / raw;
      ratioNet = p / net;
      const ratioPerSample = podman.runs.cpuMs / podman.runs.samples / (loaded.cpuMs / loaded.samples);
      lines.push([
        `podman stats --no-stream, ${N} containers`,
        f(p, 1),
        f(pctCore(p), 2),
        `${f(podman.runs.wallMs / 1000)} s, ${podman.runs.samples} runs`,
        `${f(podman.runs.cpuMs / podman.runs.samples, 0)} ms CPU/run; wall/run median ${f(podman.wallPerRun!.median, 0)} ms, max ${f(podman.wallPerRun!.max, 0)} ms; ${podman.overruns} run(s) > 1 s${podman.failures ? `; ${podman.failures} FAILED` : ''}`,
      ]);
      lines.push([
        `ratio podman / Berth`,
        f(ratio, 1) + '×',
        '',
        '',
        `net of idle ${f(ratioNet, 1)}×; per sample ${f(ratioPerSample, 1)}×`,
      ]);
    } else {
      lines.push([`podman stats`, '—', '—', '', `skipped: ${podman.skipped ?? 'did not run'}`]);
    }
    const ctx: string[][] = [];
    if (berth.monitors)
      ctx.push([
        `context: ${berth.monitors.samples} Berth monitors`,
        f(perSec(berth.monitors), 2),
        f(pctCore(perSec(berth.monitors)), 3),
        '',
        'same window as the helper',
      ]);
    if (podman.conmons)
      ctx.push([
        `context: ${podman.conmons.samples} podman conmons`,
        f(perSec(podman.conmons), 2),
        f(pctCore(perSec(podman.conmons)), 3),
        '',
        'same window as podman stats',
      ]);
    const all = [...lines, ...ctx];
    const w = all[0]!.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
    const fmt = (l: string[]) =>
      l
        .map((c, i) => (i === 0 || i >= 3 ? c.padEnd(w[i]!) : c.padStart(w[i]!)))
        .join('  ')
        .trimEnd();
    // Verdicts only when every round ran below the load limit (bench/conditions.ts).
    const rounds: Round[] = berth.rounds.map((b, k) => {
      const p = podman.rounds[k];
      const berthRate = b.cpuMs / b.wallMs;
      return {
        index: k + 1,
        load: Math.max(b.load, p?.load ?? 0),
        ratios: {
          'podman / Berth': p ? p.cpuMs / p.wallMs / berthRate : NaN,
          'helper % of one core': berthRate * 100,
        },
      };
    });
    const worstLoad = Math.max(...rounds.map((r) => r.load));
    const ok = (b: boolean) =>
      worstLoad >= LOAD_LIMIT ? `not measured: load ${worstLoad.toFixed(2)}` : b ? 'met' : 'NOT met';
    const out = [
      `[bench] stats sampling: ${N} containers at 1 Hz; ${layout.mode} cgroups; ${os.cpus().length} CPUs; load avg ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; CLK_TCK=${CLK_TCK}`,
      `[bench] podman ${podman.runs ? `(${PODMAN}) vfs storage, ${podman.runtime}, cgroupfs, file events, private --root/--runroot/--tmpdir; CPU per run by ${podman.cpuMethod}; programs exec'd by one podman stats: ${podman.execs}` : 'skipped'}`,
      ...all.map(fmt),
      `[bench] target ≤ 1% of one core: raw ${f(pctCore(raw), 3)}% ${ok(pctCore(raw) <= 1)}, net ${f(pctCore(net), 3)}% ${ok(pctCore(net) <= 1)}`,
      podman.runs
        ? `[bench] target ≥ 20× cheaper than podman: raw ${f(ratio, 1)}× ${ok(ratio >= 20)}, net ${f(ratioNet, 1)}× ${ok(ratioNet >= 20)}`
        : `[bench] target ≥ 20× cheaper than podman: not measured (${podman.skipped})`,
      `[bench] asserted: ${berth.running} Berth containers running, resources.stats returned ${berth.statsRows} rows${podman.rows ? `; podman stats returned ${podman.rows.min}..${podman.rows.max} rows` : ''}`,
      `[bench] helper RSS ${f(berth.rssIdle ?? NaN)} MiB idle → ${f(berth.rssLoaded ?? NaN)} MiB with ${N} containers; helper's waited-for children in the window: ${f(berth.helperChildrenMs ?? NaN, 0)} ms CPU; setup: Berth ${f(berth.setupS ?? NaN, 0)} s, podman ${f(podman.setupS ?? NaN, 0)} s`,
      `[bench] helper CPU by thread in the main window, ms/s: ${berth.threads ?? '—'}`,
      ...rounds.map((r) => `[bench] ${roundLine(r)}`),
      ...verdicts(rounds, [
        { name: 'podman / Berth', kind: 'min', value: 20 },
        { name: 'helper % of one core', kind: 'max', value: 1 },
      ]).map((l) => `[bench] ${l}`),
    ];
    console.log(out.join('\n'));
    expect(berth.statsRows).toBe(N);
  });
});

if (!canRun) {
  describe('stats sampling bench', () => {
    it.skip(`needs root, ${HELPER_JS} (npx electron-vite build) and busybox`, () => undefined);
  });
}
