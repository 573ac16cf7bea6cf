/**
 * The order of a run's last steps (manager.ts onExit): the die event goes out
 * before the exited record is saved. A container that exits at once (likely
 * before its start is answered) ends exited with its code and exactly one
 * start and one die event; a helper killed right after the die event
 * (BERTH_FAULT=exit.after-die), its record still saying "running", comes
 * back and records the exit from the monitor's exit.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerSummaryT } from '../../../preload/schemas/containers';
import { BUSYBOX_BIN } from '../../testing/busybox-image';
import {
  EventLog,
  berthOk,
  cgroupDirsOf,
  isLive,
  loadBusybox,
  startHelperOn,
  tearDownHelperOn,
  waitUntil,
  type HelperOn,
} from '../../testing/container-helper';
import { tempDir } from '../../testing/helper-process';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot && BUSYBOX_BIN !== undefined)('exit ordering (root)', { timeout: 180_000 }, () => {
  const runDir = tempDir('berth-exit-run-');
  const dataRoot = tempDir('berth-exit-data-');
  const work = tempDir('berth-exit-work-');
  let h: HelperOn | null = null;
  let events: EventLog | null = null;

  const ps = async (): Promise<ContainerSummaryT[]> =>
    JSON.parse(await berthOk(h!.socketPath, ['call', 'containers.list', '{"all":true}'])) as ContainerSummaryT[];
  const stored = (id: string): { state: string; exitCode: number | null } =>
    JSON.parse(fs.readFileSync(path.join(dataRoot, 'c', id, 'container.json'), 'utf8')) as {
      state: string;
      exitCode: number | null;
    };
  const create = async (code: number): Promise<string> => {
    const { id } = (await events!.client.call('containers.create', {
      image: 'busybox',
      command: ['sh', '-c', `exit ${code}`],
      network: 'none',
    })) as { id: string };
    return id;
  };

  afterAll(async () => {
    events?.close();
    await tearDownHelperOn(h, { dataRoot, runDir, work });
  });

  it('a container that exits at once ends exited with its code, one start and one die event', async () => {
    h = await startHelperOn({ runDir, dataRoot });
    await loadBusybox(h.socketPath, work);
    events = await EventLog.connect(h.socketPath);
    for (const code of [0, 3, 7, 42, 125]) {
      const id = await create(code);
      const died = events.waitFor((e) => e.id === id && e.action === 'die');
      await events.client.call('containers.start', { id });
      expect(await died).toMatchObject({ state: 'exited', exitCode: code });
      // The event leaves before the record's save, in the same synchronous
      // step: any answer after the event (this ps) comes after the save.
      expect((await ps()).find((c) => c.id === id)).toMatchObject({ state: 'exited', exitCode: code, pid: null });
      expect(stored(id)).toMatchObject({ state: 'exited', exitCode: code });
      const actions = events.of(id).map((e) => e.action);
      expect(actions.filter((a) => a === 'start')).toHaveLength(1);
      expect(actions.filter((a) => a === 'die')).toHaveLength(1);
      expect(actions.indexOf('start')).toBeLessThan(actions.indexOf('die'));
      await berthOk(h.socketPath, ['rm', id]);
    }
    events.close();
    events = null;
    await h.stop();
    h = null;
  });

  it('a helper killed right after the die event re-adopts with the exit recorded', async () => {
    h = await startHelperOn({ runDir, dataRoot, env: { BERTH_FAULT: 'exit.after-die' } });
    events = await EventLog.connect(h.socketPath);
    const id = await create(7);
    const died = events.waitFor((e) => e.id === id && e.action === 'die');
    // The answer may be lost to the crash that follows the exit.
    await events.client.call('containers.start', { id }).catch(() => undefined);
    // The event was written to the socket before the helper killed itself.
    expect(await died).toMatchObject({ state: 'exited', exitCode: 7 });
    await waitUntil('the helper to die at the fault point', () => !isLive(h!.pid));
    // Its last words may reach our pipe reader after the exit is seen.
    await waitUntil('the fault point in the helper log', () => h!.stderr().includes('fault point exit.after-die'));
    // The crash landed between the event and the save: the disk still says running.
    expect(stored(id).state).toBe('running');
    events.close();
    events = null;

    h = await startHelperOn({ runDir, dataRoot });
    const c = (await ps()).find((x) => x.id === id);
    expect(c).toMatchObject({ state: 'exited', exitCode: 7, pid: null });
    expect(stored(id)).toMatchObject({ state: 'exited', exitCode: 7 });
    expect(cgroupDirsOf(id)).toEqual([]);
    await berthOk(h.socketPath, ['rm', id]);
    expect(await ps()).toEqual([]);
  });
});
