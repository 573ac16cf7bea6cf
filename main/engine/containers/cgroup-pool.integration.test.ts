/**
 * Standby cgroup pools through a real helper (cgroup-pool.ts,
 * native/monitor/src/spawner.h): the waiting standby's spawner sits in its
 * pool; a start renames the pool to the container's group and init is born
 * there, in every hierarchy, with its limits from its first instruction; the
 * monitor is never in the container's groups; a helper's pools go with it,
 * and those of a helper that is gone are removed by the next one. The cold
 * path (no standby) places init the same way. On both paths init runs its
 * command holding only fds 0–2: nothing of the monitor's, the spawner's or
 * the pool's leaks across the exec.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetailT } from '../../../preload/schemas/containers';
import { createDriver } from '../cgroups/driver';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import { RpcClient } from '../../helper/client/rpc-client';
import { tempDir } from '../../testing/helper-process';
import {
  EventLog,
  loadBusybox,
  openContainerSuite,
  startHelperOn,
  processesNamed,
  startContainerHelper,
  testBridge,
  waitUntil,
  type ContainerSuite,
  tearDownHelperOn,
} from '../../testing/container-helper';

const isRoot = process.getuid?.() === 0;

/** The v1 hierarchies Berth's driver places groups in. */
function v1Mounts(): string[] {
  const mounts = (createDriver() as unknown as { mounts(): { v1: Record<string, string> } }).mounts().v1;
  return [...new Set(Object.values(mounts))].filter((m) => fs.existsSync(path.join(m, 'berth')));
}

/** Pool groups of helper `pid` under berth/ in any v1 hierarchy. */
function poolsOf(pid: number | '*'): string[] {
  const out: string[] = [];
  for (const m of v1Mounts())
    for (const n of fs.readdirSync(path.join(m, 'berth')))
      if (pid === '*' ? n.startsWith('.standby-') : n.startsWith(`.standby-${pid}-`))
        out.push(path.join(m, 'berth', n));
  return out;
}

/** /proc/PID/cgroup as hierarchy-controllers → path (the unified one under ""). */
function cgroupsOf(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(l);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The hierarchies Berth places containers in: every v1 one with a `berth` parent, and the unified one. */
function berthHierarchies(pid: number): string[] {
  const mine = cgroupsOf(pid);
  const keys: string[] = [];
  for (const m of v1Mounts()) {
    const key = [...mine.keys()].find((k) => k && k.split(',').every((c) => path.basename(m).split(',').includes(c)));
    if (key && !key.startsWith('name=')) keys.push(key);
  }
  if (mine.has('')) keys.push('');
  return [...new Set(keys)];
}

/**
 * The helper's waiting standby monitors: `run --standby` children of the
 * helper whose spawner (their child) sits in a pool. (A standby that became a
 * container's monitor keeps its command line and parent.)
 */
function standbys(helperPid: number): number[] {
  const all = [...processesNamed('berth-monitor'), ...processesNamed('memfd:berth-mon')];
  return all
    .filter((p) => p.ppid === helperPid && p.state !== 'Z' && p.cmdline.includes('--standby'))
    .filter((p) =>
      all.some((c) => {
        if (c.ppid !== p.pid || c.state === 'Z') return false;
        try {
          return fs.readFileSync(`/proc/${c.pid}/cgroup`, 'utf8').includes('/.standby-');
        } catch {
          return false;
        }
      }),
    )
    .map((p) => p.pid);
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined && v1Mounts().length > 0)(
  'standby cgroup pools (root, v1 or hybrid hierarchies)',
  { timeout: 120_000 },
  () => {
    let suite: ContainerSuite;
    let h: ContainerSuite['helper'];
    let rpc: RpcClient;
    let events: EventLog;
    const stale = '.standby-999999999-1-1';

    beforeAll(async () => {
      // A pool of a helper that is gone: the next helper removes it.
      for (const m of v1Mounts()) fs.mkdirSync(path.join(m, 'berth', stale), { recursive: true });
      suite = await openContainerSuite({ bridge: testBridge('bpl', 228), workPrefix: 'berth-pool-' });
      ({ helper: h, rpc } = suite);
      events = await EventLog.connect(h.socketPath);
    });

    afterAll(async () => {
      const log = h?.stderr() ?? '';
      if (/pool|uncaught|unhandled/.test(log))
        console.log(
          log
            .split('\n')
            .filter((l) => /pool|uncaught|unhandled/.test(l))
            .join('\n'),
        );
      events?.close();
      await suite?.close();
      for (const m of v1Mounts()) fs.rmSync(path.join(m, 'berth', stale), { recursive: true, force: true });
    });

    const inspect = async (id: string): Promise<ContainerDetailT> =>
      (await rpc.call('containers.inspect', { id })) as ContainerDetailT;

    async function runDetached(command: string[], resources?: unknown): Promise<{ id: string; d: ContainerDetailT }> {
      const { id } = (await rpc.call('containers.create', {
        image: 'busybox',
        command,
        network: 'none',
        ...(resources ? { resources } : {}),
      })) as { id: string };
      await rpc.call('containers.start', { id });
      return { id, d: await inspect(id) };
    }

    /** init is in berth/<id> in every hierarchy Berth uses; its monitor in none of them. */
    function expectPlaced(id: string, d: ContainerDetailT): void {
      const pid = d.pid!;
      const groups = cgroupsOf(pid);
      const keys = berthHierarchies(pid);
      expect(keys.length).toBeGreaterThan(1);
      for (const k of keys) expect(groups.get(k), `hierarchy "${k}"`).toBe(`/berth/${id}`);
      const monitor = cgroupsOf(d.monitorPid!);
      for (const [k, p] of monitor) expect(p, `monitor in hierarchy "${k}"`).not.toContain(id);
      for (const [, p] of monitor) expect(p).not.toContain('.standby-');
    }

    /**
     * init's open fds once it runs `sleep`: exactly 0, 1 and 2 (/dev/null and
     * the two log pipes); anything else leaked across the exec (a fd without
     * O_CLOEXEC in the monitor, spawner or pool code).
     */
    async function expectOnlyStdio(pid: number): Promise<void> {
      await waitUntil(
        'init running sleep',
        () => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === 'sleep',
        10_000,
      );
      const fds = fs.readdirSync(`/proc/${pid}/fd`);
      const described = fds.map((fd) => `${fd} → ${fs.readlinkSync(`/proc/${pid}/fd/${fd}`)}`).join(', ');
      expect(
        fds.map(Number).sort((a, b) => a - b),
        described,
      ).toEqual([0, 1, 2]);
    }

    it("removed a gone helper's pool at start-up, and keeps one pool per waiting standby", async () => {
      for (const m of v1Mounts()) expect(fs.existsSync(path.join(m, 'berth', stale))).toBe(false);
      await waitUntil(
        'a standby with its pool',
        () => standbys(h.pid).length === 1 && poolsOf(h.pid).length > 0,
        20_000,
      );
      // One pool name, in every v1 hierarchy, holding the standby's spawner (a child of the standby).
      const names = new Set(poolsOf(h.pid).map((d) => path.basename(d)));
      expect(names.size).toBe(1);
      expect(poolsOf(h.pid)).toHaveLength(v1Mounts().length);
      const [standby] = standbys(h.pid);
      for (const d of poolsOf(h.pid)) {
        const procs = fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
        expect(procs).toHaveLength(1);
        const ppid = Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${procs[0]}/status`, 'utf8'))![1]);
        expect(ppid).toBe(standby);
      }
      // The standby itself is in no pool.
      for (const [, p] of cgroupsOf(standby!)) expect(p).not.toContain('.standby-');
    });

    it("a start adopts the pool: init is born in the container's group in every hierarchy, the monitor in none", async () => {
      await waitUntil(
        'a standby with its pool',
        () => standbys(h.pid).length === 1 && poolsOf(h.pid).length > 0,
        20_000,
      );
      const pool = path.basename(poolsOf(h.pid)[0]!);
      const { id, d } = await runDetached(['sleep', '100']);
      expectPlaced(id, d);
      await expectOnlyStdio(d.pid!);
      // The pool is the container's group now: no directory of that name is left.
      for (const m of v1Mounts()) expect(fs.existsSync(path.join(m, 'berth', pool))).toBe(false);
      // Only init is in its groups (the spawner was reaped before init ran).
      for (const m of v1Mounts()) {
        const procs = fs
          .readFileSync(path.join(m, 'berth', id, 'cgroup.procs'), 'utf8')
          .split('\n')
          .filter(Boolean);
        expect(procs.map(Number)).toEqual([d.pid]);
      }
      // pause (freezer) and unpause reach init; stop ends it.
      await rpc.call('containers.pause', { id });
      const freezer = v1Mounts().find((m) => fs.existsSync(path.join(m, 'berth', id, 'freezer.state')));
      if (freezer)
        expect(fs.readFileSync(path.join(freezer, 'berth', id, 'freezer.state'), 'utf8').trim()).toBe('FROZEN');
      expect(/State:\s+(\S)/.exec(fs.readFileSync(`/proc/${d.pid}/status`, 'utf8'))?.[1]).not.toBe('R');
      await rpc.call('containers.unpause', { id });
      if (freezer)
        expect(fs.readFileSync(path.join(freezer, 'berth', id, 'freezer.state'), 'utf8').trim()).toBe('THAWED');
      const died = events.waitFor((e) => e.id === id && e.action === 'die');
      await rpc.call('containers.stop', { id, timeoutSec: 1 });
      await died;
      await rpc.call('containers.remove', { id });
      for (const m of v1Mounts()) expect(fs.existsSync(path.join(m, 'berth', id))).toBe(false);
    });

    it('limits hold from the first instruction: pids.max 2 lets init fork exactly one child', async () => {
      await waitUntil(
        'a standby with its pool',
        () => standbys(h.pid).length === 1 && poolsOf(h.pid).length > 0,
        20_000,
      );
      // sh (1) + the command substitution's subshell (2): allowed; a third process is refused.
      const { id } = (await rpc.call('containers.create', {
        image: 'busybox',
        command: ['sh', '-c', 'sleep 3 & echo one=$!; sleep 3 & echo two=$?; wait'],
        network: 'none',
        resources: { pids: { max: 2 } },
      })) as { id: string };
      const died = events.waitFor((e) => e.id === id && e.action === 'die');
      await rpc.call('containers.start', { id });
      await died;
      const lines = (
        (await rpc.call('containers.logs', { id, limit: 100 })) as { lines: Array<{ line: string }> }
      ).lines.map((l) => l.line);
      // The first background sleep is forked; the second fork is refused (sh: can't fork).
      expect(
        lines.some((l) => /^one=\d+$/.test(l)),
        lines.join('|'),
      ).toBe(true);
      expect(
        lines.some((l) => /can't fork|Resource temporarily unavailable/.test(l)),
        lines.join('|'),
      ).toBe(true);
      await rpc.call('containers.remove', { id });
    });

    it('pids.max 1 takes the cold path and the container still runs its one process', async () => {
      await waitUntil(
        'a standby with its pool',
        () => standbys(h.pid).length === 1 && poolsOf(h.pid).length > 0,
        20_000,
      );
      const pool = path.basename(poolsOf(h.pid)[0]!);
      const { id, d } = await runDetached(['sleep', '100'], { pids: { max: 1 } });
      expectPlaced(id, d);
      await expectOnlyStdio(d.pid!);
      // Not adopted: removed (with its spawner).
      await waitUntil(
        'the unused pool removed',
        () => v1Mounts().every((m) => !fs.existsSync(path.join(m, 'berth', pool))),
        10_000,
      );
      await rpc.call('containers.remove', { id, force: true });
    });

    it('the cold path (no standby: killed) places init the same way', async () => {
      await waitUntil('a standby', () => standbys(h.pid).length === 1, 20_000);
      process.kill(standbys(h.pid)[0]!, 'SIGKILL');
      const { id, d } = await runDetached(['sleep', '100']);
      expectPlaced(id, d);
      await expectOnlyStdio(d.pid!);
      await rpc.call('containers.remove', { id, force: true });
    });

    it('a helper killed with SIGKILL: the next one re-adopts the pooled container and removes the old pool', async () => {
      const runDir = tempDir('berth-pool-run-');
      const dataRoot = tempDir('berth-pool-data-');
      const first = await startHelperOn({ runDir, dataRoot });
      let second: Awaited<ReturnType<typeof startHelperOn>> | null = null;
      let id: string;
      let conn: RpcClient | null = null;
      try {
        await loadBusybox(first.socketPath, suite.work);
        await waitUntil('its pool', () => standbys(first.pid).length === 1, 20_000);
        conn = await RpcClient.connect(first.socketPath);
        ({ id } = (await conn.call('containers.create', {
          image: 'busybox',
          command: ['sleep', '100'],
          network: 'none',
        })) as { id: string });
        await conn.call('containers.start', { id });
        const before = (await conn.call('containers.inspect', { id })) as ContainerDetailT;
        conn.close();
        conn = null;
        await waitUntil('the next pool', () => poolsOf(first.pid).length > 0, 20_000);
        await first.kill9();
        second = await startHelperOn({ runDir, dataRoot });
        conn = await RpcClient.connect(second.socketPath);
        const after = (await conn.call('containers.inspect', { id })) as ContainerDetailT;
        expect(after.state).toBe('running');
        expect(after.pid).toBe(before.pid);
        expectPlaced(id, after);
        await waitUntil("the dead helper's pool removed", () => poolsOf(first.pid).length === 0, 20_000);
        await conn.call('containers.remove', { id, force: true });
      } finally {
        conn?.close();
        await tearDownHelperOn(second ?? first, { dataRoot, runDir }); // the work dir is the suite's
      }
    });

    it("a helper's pools go with it (SIGTERM)", async () => {
      const other = await startContainerHelper();
      try {
        await waitUntil('its pool', () => poolsOf(other.pid).length > 0, 20_000);
      } finally {
        await other.dispose();
      }
      expect(poolsOf(other.pid), `the helper's log:\n${other.stderr()}`).toEqual([]);
    });
  },
);
