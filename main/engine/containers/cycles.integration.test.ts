/**
 * 200 create → start → (exit | stop) → remove cycles, 10 at a time, through
 * the helper's RPC; then nothing may be left: no mount, cgroup directory,
 * named netns or state directory of any of them, no helper fd more than
 * before, no monitor or zombie. Prints the wall time and the per-cycle median.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  EventLog,
  berthCli,
  cgroupChildCount,
  fdCount,
  loadBusybox,
  netnsEntries,
  monitorsOf,
  startContainerHelper,
  waitUntil,
  zombies,
  type HelperOn,
  removeAllContainers,
} from '../../testing/container-helper';
import { tempDir } from '../../testing/helper-process';
import { netnsName } from '../network/sandbox';

const isRoot = process.getuid?.() === 0;
const CYCLES = 200;
const PARALLEL = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)(
  '200 container cycles leave nothing behind (root)',
  { timeout: 400_000 },
  () => {
    let h: HelperOn & { dispose(): Promise<void> };
    let rpc: RpcClient;
    let events: EventLog;
    let work = '';

    beforeAll(async () => {
      h = await startContainerHelper();
      work = tempDir('berth-cycles-');
      await loadBusybox(h.socketPath, work);
      rpc = await RpcClient.connect(h.socketPath);
      events = await EventLog.connect(h.socketPath);
    });

    afterAll(async () => {
      try {
        await removeAllContainers(h.socketPath);
      } finally {
        rpc?.close();
        events?.close();
        await h?.dispose();
        fs.rmSync(work, { recursive: true, force: true });
      }
    });

    it(`${CYCLES} create/start/stop/remove cycles, ${PARALLEL} at a time`, async () => {
      const call = (m: string, p: unknown) => rpc.call(m, p);
      // One cycle first, so lazily opened things (image store, cgroup parents) are open before counting.
      const warm = (await call('containers.create', { image: 'busybox', command: ['true'], network: 'none' })) as {
        id: string;
      };
      const warmDie = events.waitFor((e) => e.id === warm.id && e.action === 'die');
      await call('containers.start', { id: warm.id });
      await warmDie;
      await call('containers.remove', { id: warm.id, force: true });
      await sleep(200);

      const before = {
        helperFds: fdCount(h.pid),
        mounts: fs.readFileSync('/proc/mounts', 'utf8').split('\n').length,
        cgroups: cgroupChildCount(),
        netns: netnsEntries().length,
      };
      const ids: string[] = [];
      const times: number[] = [];
      const t0 = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (next < CYCLES) {
            const i = next++;
            const c0 = performance.now();
            const useTrue = i % 2 === 0;
            const { id } = (await call('containers.create', {
              image: 'busybox',
              command: useTrue ? ['true'] : ['sleep', '1'],
              network: 'none',
              name: `cycle-${i}`,
            })) as { id: string };
            ids.push(id);
            const died = events.waitFor((e) => e.id === id && e.action === 'die', 60_000);
            await call('containers.start', { id });
            if (useTrue) await died;
            else {
              // sleep as pid 1 ignores SIGTERM: stop escalates to SIGKILL after 1 s.
              await call('containers.stop', { id, timeoutSec: 1 });
              await died;
            }
            await call('containers.remove', { id, force: false });
            times.push(performance.now() - c0);
          }
        }),
      );
      const wall = Date.now() - t0;
      await sleep(300);

      const after = {
        helperFds: fdCount(h.pid),
        mounts: fs.readFileSync('/proc/mounts', 'utf8').split('\n').length,
        cgroups: cgroupChildCount(),
        netns: netnsEntries().length,
      };
      console.log(
        `${CYCLES} cycles, ${PARALLEL} at a time: wall ${(wall / 1000).toFixed(1)} s, ` +
          `per cycle median ${median(times).toFixed(0)} ms, p90 ${pct(times, 0.9).toFixed(0)} ms, ` +
          `max ${Math.max(...times).toFixed(0)} ms; throughput ${((CYCLES * 1000) / wall).toFixed(1)} cycles/s\n` +
          `before ${JSON.stringify(before)}\nafter  ${JSON.stringify(after)}`,
      );
      expect(ids).toHaveLength(CYCLES);
      expect(new Set(ids).size).toBe(CYCLES);
      expect((await berthCli(h.socketPath, ['ps', '-a', '--format', 'json'])).stdout).toBe('');

      // Ours, exactly: nothing named after any of the 200 ids. (Global counts are
      // printed above: other tests may run containers at the same time.)
      const idSet = new Set(ids);
      const short = new Set(ids.map((id) => id.slice(0, 12)));
      const mounts = fs.readFileSync('/proc/mounts', 'utf8');
      expect(mounts.split('\n').filter((l) => l.includes(h.dataRoot) || [...short].some((s) => l.includes(s)))).toEqual(
        [],
      );
      const cgroupLeft: string[] = [];
      for (const hier of fs.readdirSync('/sys/fs/cgroup')) {
        for (const dir of [path.join('/sys/fs/cgroup', hier, 'berth'), path.join('/sys/fs/cgroup', 'berth')]) {
          try {
            for (const e of fs.readdirSync(dir)) if (idSet.has(e)) cgroupLeft.push(path.join(dir, e));
          } catch {
            // no berth parent in this hierarchy
          }
        }
      }
      expect(cgroupLeft).toEqual([]);
      expect(netnsEntries().filter((n) => ids.some((id) => n === netnsName(id)))).toEqual([]);
      expect(fs.readdirSync(path.join(h.dataRoot, 'c'))).toEqual([]);
      // A monitor leaves right after recording the exit: give it a moment.
      await waitUntil('no monitor of ours to be left', () => monitorsOf(h.dataRoot).length === 0, 10_000).catch(
        () => undefined,
      );
      expect(monitorsOf(h.dataRoot)).toEqual([]);
      expect(zombies().filter((z) => z.ppid === h.pid)).toEqual([]);
      // The helper's own fds: what a cycle opens it closes (a little slack for
      // sockets and watchers that come and go).
      expect(after.helperFds).toBeLessThanOrEqual(before.helperFds + 5);
      // Every cycle produced exactly one create, start, die and remove event.
      for (const action of ['create', 'start', 'die', 'remove']) {
        expect(events.events.filter((e) => idSet.has(e.id) && e.action === action)).toHaveLength(CYCLES);
      }
    });
  },
);
