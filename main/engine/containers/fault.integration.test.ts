/**
 * The helper dies (SIGKILL) with containers running; some of them exit, and
 * one `always` container is killed, while no helper watches. A new helper on
 * the same run dir and data root re-adopts the running ones (same pids),
 * learns the exact exit codes of the others from their monitors' exit.json,
 * brings the `always` one back, and does not trust a recorded pid that now
 * belongs to another process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  berthOk,
  cgroupDirsOf,
  isLive,
  loadBusybox,
  monitorsOf,
  startHelperOn,
  tearDownHelperOn,
  waitUntil,
  type HelperOn,
} from '../../testing/container-helper';
import { tempDir } from '../../testing/helper-process';
import { pidStartTime } from './runtime';

const isRoot = process.getuid?.() === 0;

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('helper crash and re-adoption (root)', { timeout: 300_000 }, () => {
  const runDir = tempDir('berth-fault-run-');
  const dataRoot = tempDir('berth-fault-data-');
  const work = tempDir('berth-fault-work-');
  const gate = path.join(work, 'gate');
  let h: HelperOn | null = null;
  let rpc: RpcClient | null = null;
  let outsider: ChildProcess | null = null;

  const running: Array<{ id: string; pid: number; monitorPid: number }> = [];
  const exiting: Array<{ id: string; code: number }> = [];
  const always = { id: '', pid: 0 };
  const reused = { id: '', pid: 0 };

  const call = async <T>(method: string, params: unknown): Promise<T> => (await rpc!.call(method, params)) as T;
  const create = async (command: string[], extra: Record<string, unknown> = {}): Promise<string> => {
    const { id } = await call<{ id: string }>('containers.create', {
      image: 'busybox',
      command,
      network: 'none',
      ...extra,
    });
    await call('containers.start', { id });
    return id;
  };
  const ps = async (): Promise<ContainerSummaryT[]> =>
    JSON.parse(await berthOk(h!.socketPath, ['call', 'containers.list', '{"all":true}'])) as ContainerSummaryT[];

  beforeAll(async () => {
    fs.mkdirSync(gate);
    h = await startHelperOn({ runDir, dataRoot });
    await loadBusybox(h.socketPath, work);
    rpc = await RpcClient.connect(h.socketPath);
  });

  afterAll(async () => {
    rpc?.close();
    outsider?.kill('SIGKILL');
    await tearDownHelperOn(h, { dataRoot, runDir, work }); // also kills what a failed test left running
  });

  it('re-adopts 20 running containers, learns 5 exit codes, restarts an `always` one, distrusts a reused pid', async () => {
    const t0 = Date.now();
    // 20 that keep running.
    await pool(
      Array.from({ length: 20 }, (_, i) => i),
      4,
      async () => {
        const id = await create(['sleep', '600']);
        const d = await call<{ pid: number; monitorPid: number }>('containers.inspect', { id });
        running.push({ id, pid: d.pid, monitorPid: d.monitorPid });
      },
    );
    // 5 that exit while the helper is down, each with its own code: they wait
    // for a file the test creates once the helper is dead.
    await pool([11, 12, 13, 14, 15], 4, async (code) => {
      const id = await create(['sh', '-c', `while [ ! -e /gate/go ]; do sleep 0.05; done; exit ${code}`], {
        volumes: [{ source: gate, destination: '/gate', readOnly: true }],
      });
      exiting.push({ id, code });
    });
    // One `always`, killed while the helper is down.
    always.id = await create(['sleep', '600'], { restart: { name: 'always', maxRetries: 0 } });
    always.pid = (await call<{ pid: number }>('containers.inspect', { id: always.id })).pid;
    // One whose recorded pid will belong to another process.
    reused.id = await create(['sleep', '600']);
    const rd = await call<{ pid: number; monitorPid: number }>('containers.inspect', { id: reused.id });
    reused.pid = rd.pid;
    console.log(`27 containers started in ${Date.now() - t0} ms`);
    expect((await ps()).filter((c) => c.state === 'running')).toHaveLength(27);

    // ── the helper dies ──
    rpc!.close();
    rpc = null;
    await h!.kill9();
    expect(isLive(h!.pid)).toBe(false);
    for (const r of running) expect(isLive(r.pid), `container ${r.id} outlives the helper`).toBe(true);

    fs.writeFileSync(path.join(gate, 'go'), '');
    await waitUntil(
      'the 5 gated containers to exit',
      () => exiting.every((e) => fs.existsSync(path.join(dataRoot, 'c', e.id, 'run', 'exit.json'))),
      30_000,
      100,
    );
    for (const e of exiting) {
      const x = JSON.parse(fs.readFileSync(path.join(dataRoot, 'c', e.id, 'run', 'exit.json'), 'utf8')) as {
        exitCode: number;
      };
      expect(x.exitCode).toBe(e.code);
    }
    // The `always` one is killed behind the engine's back.
    process.kill(always.pid, 'SIGKILL');
    await waitUntil('the always container to exit', () =>
      fs.existsSync(path.join(dataRoot, 'c', always.id, 'run', 'exit.json')),
    );

    // PID reuse: the container and its monitor vanish without an exit record
    // (SIGKILL to both), and its recorded pid now names an unrelated process
    // (another start time).
    outsider = spawn('sleep', ['600'], { stdio: 'ignore' });
    const outsiderPid = outsider.pid!;
    process.kill(rd.monitorPid, 'SIGKILL');
    process.kill(reused.pid, 'SIGKILL');
    await waitUntil('the reused container to be gone', () => !isLive(reused.pid) && !isLive(rd.monitorPid));
    const stateFile = path.join(dataRoot, 'c', reused.id, 'run', 'state.json');
    const recordFile = path.join(dataRoot, 'c', reused.id, 'container.json');
    const st = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { pid: number; pidStartTime: number };
    expect(pidStartTime(outsiderPid)).not.toBe(st.pidStartTime);
    fs.writeFileSync(stateFile, JSON.stringify({ ...st, pid: outsiderPid }));
    const rec = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(recordFile, JSON.stringify({ ...rec, pid: outsiderPid }));
    expect(fs.existsSync(path.join(dataRoot, 'c', reused.id, 'run', 'exit.json'))).toBe(false);

    // ── a new helper on the same state ──
    const t1 = Date.now();
    h = await startHelperOn({ runDir, dataRoot });
    rpc = await RpcClient.connect(h.socketPath);
    const list = await ps();
    console.log(`helper back and answering ps in ${Date.now() - t1} ms`);
    expect(list).toHaveLength(27);
    const byId = new Map(list.map((c) => [c.id, c]));
    for (const r of running) {
      expect(byId.get(r.id)).toMatchObject({ state: 'running', pid: r.pid, exitCode: null });
      expect(isLive(r.pid)).toBe(true);
    }
    for (const e of exiting) expect(byId.get(e.id)).toMatchObject({ state: 'exited', exitCode: e.code, pid: null });
    for (const e of exiting) expect(cgroupDirsOf(e.id)).toEqual([]);

    const back = await waitUntil(
      'the always container to come back',
      async () => {
        const d = (await ps()).find((c) => c.id === always.id);
        return d?.state === 'running' && d.pid !== always.pid ? d : null;
      },
      20_000,
      100,
    );
    expect(back.restartCount).toBe(1);
    expect(isLive(back.pid!)).toBe(true);

    const dead = byId.get(reused.id)!;
    expect(['dead', 'exited']).toContain(dead.state);
    expect(dead.pid).toBeNull();
    expect(isLive(outsiderPid)).toBe(true);

    // The new helper watches the adopted ones: an exit is seen, with its code.
    const victim = running[0]!;
    await berthOk(h.socketPath, ['kill', victim.id]);
    expect((await ps()).find((c) => c.id === victim.id)).toMatchObject({ state: 'exited', exitCode: 137 });
    process.kill(running[1]!.pid, 'SIGTERM'); // pid 1 ignores it: nothing happens
    process.kill(running[1]!.pid, 'SIGKILL'); // behind the engine's back: seen through exit.json
    await waitUntil('an adopted container killed from outside to be seen', async () => {
      const c = (await ps()).find((x) => x.id === running[1]!.id);
      return c?.state === 'exited' && c.exitCode === 137;
    });
    await berthOk(h.socketPath, ['stop', running[2]!.id]);
    expect((await ps()).find((c) => c.id === running[2]!.id)?.state).toBe('exited');

    // Removing the pid-reuse victim never signals the unrelated process.
    await berthOk(h.socketPath, ['rm', '-f', reused.id]);
    await sleep(200);
    expect(isLive(outsiderPid)).toBe(true);

    // Everything goes away on request.
    const ids = list.map((c) => c.id);
    await berthOk(h.socketPath, ['rm', '-f', ...ids.filter((id) => id !== reused.id)]);
    expect(await ps()).toEqual([]);
    for (const r of running) expect(isLive(r.pid)).toBe(false);
    // A monitor leaves right after recording the exit: give it a moment.
    await waitUntil('no monitor of ours to be left', () => monitorsOf(dataRoot).length === 0, 10_000).catch(
      () => undefined,
    );
    expect(monitorsOf(dataRoot)).toEqual([]);
    for (const id of ids) expect(cgroupDirsOf(id)).toEqual([]);
    expect(fs.readdirSync(path.join(dataRoot, 'c'))).toEqual([]);
  });
});
