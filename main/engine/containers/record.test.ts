import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordStore } from './record';

let dir: string | null = null;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('RecordStore.loadAll', () => {
  it("gives a record from before a request field existed that field's default (security)", () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-records-'));
    const store = new RecordStore(dir);
    const id = 'a'.repeat(64);
    fs.mkdirSync(path.join(dir, 'c', id), { recursive: true });
    // A whole record as an older Berth wrote it: its config has no `security`.
    const old = {
      id,
      name: 'old',
      created: '2026-01-01T00:00:00.000Z',
      image: 'busybox:latest',
      imageId: 'sha256:' + 'b'.repeat(64),
      config: { image: 'busybox', env: [], volumes: [], network: 'none', ports: [] },
      process: { args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' } },
      hostname: 'old',
      lowerDirs: [],
      state: 'exited',
      pid: null,
      pidStartTime: null,
      monitorPid: null,
      startedAt: null,
      finishedAt: null,
      exitCode: 0,
      oomKilled: false,
      restartCount: 0,
      stoppedByUser: false,
      error: null,
      network: { ip: null, netns: null },
    };
    fs.writeFileSync(path.join(dir, 'c', id, 'container.json'), JSON.stringify(old));
    const { records, damaged } = store.loadAll();
    expect(damaged).toEqual([]);
    const [r] = records;
    expect(r?.config.security).toEqual({
      privileged: false,
      capAdd: [],
      capDrop: [],
      seccomp: 'default',
      readOnlyRootfs: false,
      devices: [],
      deviceCgroupRules: [],
    });
    expect(r?.config.userns).toBe(false);
    expect(r?.name).toBe('old');
  });
});
