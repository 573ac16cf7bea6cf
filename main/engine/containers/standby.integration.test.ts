/**
 * The warm standby monitor through a real helper: a standby killed while it
 * waits (by anyone: an OOM kill, a stray signal) costs nothing, the next start
 * runs its container with a fresh monitor and a new standby is prepared; and
 * containers whose command ends at once (the monitor reports and exits within
 * one turn of the helper's loop) start every time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../helper/client/rpc-client';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  EventLog,
  openContainerSuite,
  processesNamed,
  testBridge,
  waitUntil,
  type ContainerSuite,
} from '../../testing/container-helper';

const isRoot = process.getuid?.() === 0;

/** The helper's waiting standby monitors (`run --standby`, its children). */
function standbys(helperPid: number): number[] {
  return [...processesNamed('berth-monitor'), ...processesNamed('memfd:berth-mon')]
    .filter((p) => p.ppid === helperPid && p.state !== 'Z' && p.cmdline.includes('--standby'))
    .map((p) => p.pid);
}

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('the standby monitor (root)', { timeout: 120_000 }, () => {
  let suite: ContainerSuite;
  let h: ContainerSuite['helper'];
  let rpc: RpcClient;
  let events: EventLog;

  beforeAll(async () => {
    suite = await openContainerSuite({ bridge: testBridge('bsb', 229), workPrefix: 'berth-standby-' });
    ({ helper: h, rpc } = suite);
    events = await EventLog.connect(h.socketPath);
  });

  afterAll(async () => {
    events?.close();
    await suite?.close();
  });

  /** create, start, die, remove of `true`: the exit code the die event carried. */
  async function runTrue(): Promise<number | null> {
    const { id } = (await rpc.call('containers.create', { image: 'busybox', command: ['true'], network: 'none' })) as {
      id: string;
    };
    const died = events.waitFor((e) => e.id === id && e.action === 'die');
    await rpc.call('containers.start', { id });
    const { exitCode } = await died;
    await rpc.call('containers.remove', { id });
    return exitCode;
  }

  it('a start after the waiting standby was killed runs its container, and a new standby is prepared', async () => {
    for (let round = 0; round < 3; round++) {
      await waitUntil('a standby monitor waiting', () => standbys(h.pid).length === 1, 20_000);
      const [victim] = standbys(h.pid);
      process.kill(victim!, 'SIGKILL');
      expect(await runTrue()).toBe(0);
      await waitUntil('a new standby', () => standbys(h.pid).some((p) => p !== victim), 20_000);
    }
  });

  it('20 containers that exit at once start every time, 5 at a time', async () => {
    const codes: Array<number | null> = [];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let i = 0; i < 4; i++) codes.push(await runTrue());
      }),
    );
    expect(codes).toEqual(Array.from({ length: 20 }, () => 0));
  });
});
