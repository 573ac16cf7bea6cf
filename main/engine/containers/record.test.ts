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
    const old = { id, name: 'old', config: { image: 'busybox', env: [], volumes: [], network: 'none', ports: [] } };
    fs.writeFileSync(path.join(dir, 'c', id, 'container.json'), JSON.stringify(old));
    const [r] = store.loadAll();
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
