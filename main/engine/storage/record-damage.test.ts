/**
 * Every record kind the engine reads at list or start time, against every
 * kind of damage: each reader reports it as a value (an `unreadable`
 * container, a missing monitor file, STORE_CORRUPT, NET_STATE_CORRUPT),
 * never as an exception from a parser, and one damaged file never hides
 * the good ones beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toErrorShape } from '../../../preload/errors';
import { RecordStore, type ContainerRecord } from '../containers/record';
import { readExit, readMonitorState } from '../containers/runtime';
import { ImageStore } from '../images/store/store';
import { Ipam } from '../network/ipam';
import { parseSubnet } from '../network/subnet';
import { writeJsonAtomic } from './atomic-file';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-damage-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Each way a file can be damaged: written over `file` (which holds a good record). */
const DAMAGE: Record<string, (file: string, good: string) => void> = {
  empty: (f) => fs.writeFileSync(f, ''),
  'open brace': (f) => fs.writeFileSync(f, '{'),
  truncated: (f, good) => fs.writeFileSync(f, good.slice(0, Math.floor(good.length / 2))),
  'wrong types': (f, good) =>
    fs.writeFileSync(
      f,
      JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(good) as object).map(([k]) => [k, { wrong: [k] }]))),
    ),
  'JSON of another kind': (f) => fs.writeFileSync(f, '[1, 2, 3]'),
  'binary garbage': (f) => fs.writeFileSync(f, Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80, 0xc3, 0x28, 0x00, 0x01])),
  'a directory': (f) => {
    fs.rmSync(f, { force: true });
    fs.mkdirSync(f);
  },
  'a symlink': (f) => {
    fs.rmSync(f, { force: true });
    fs.symlinkSync('/etc/hostname', f);
  },
};

function record(id: string, name: string): ContainerRecord {
  return {
    id,
    name,
    created: new Date().toISOString(),
    image: 'busybox',
    imageId: 'sha256:' + 'a'.repeat(64),
    config: {
      image: 'busybox',
      env: [],
      volumes: [],
      mounts: [],
      network: 'none',
      networkAliases: [],
      ports: [],
      tty: false,
      openStdin: false,
      restart: { name: 'no', maxRetries: 0 },
      autoRemove: false,
      labels: {},
      userns: false,
      timens: false,
      security: {
        privileged: false,
        capAdd: [],
        capDrop: [],
        seccomp: 'default',
        readOnlyRootfs: false,
        devices: [],
        deviceCgroupRules: [],
      },
      resources: {},
    },
    process: { args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' } },
    hostname: id.slice(0, 12),
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
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'OK';
  } catch (err) {
    return toErrorShape(err).code;
  }
}

let checked = 0;

describe.each(Object.entries(DAMAGE))('damage: %s', (kind, damage) => {
  it('container.json: listed as unreadable with a reason; the good records beside it still load', () => {
    const root = tmp();
    const store = new RecordStore(root);
    const good = record('a'.repeat(64), 'good');
    const bad = record('b'.repeat(64), 'bad');
    store.save(good);
    store.save(bad);
    const file = store.paths(bad.id).record;
    damage(file, fs.readFileSync(file, 'utf8'));
    const { records, damaged } = new RecordStore(root).loadAll();
    checked++;
    expect(records.map((r) => r.id)).toEqual([good.id]);
    expect(damaged).toHaveLength(1);
    expect(damaged[0]!.id).toBe(bad.id);
    expect(damaged[0]!.reason).toMatch(/^container\.json: /);
    // remove() takes it away whatever is inside.
    store.remove(bad.id);
    expect(new RecordStore(root).loadAll().damaged).toEqual([]);
  });

  it("the monitor's state.json and exit.json read as missing", () => {
    const runDir = tmp();
    const state = path.join(runDir, 'state.json');
    const exit = path.join(runDir, 'exit.json');
    writeJsonAtomic(state, {
      status: 'running',
      pid: 10,
      pidStartTime: 5,
      monitorPid: 9,
      startedAt: new Date().toISOString(),
    });
    writeJsonAtomic(exit, { exitCode: 0, signal: null, finishedAt: new Date().toISOString() });
    expect(readMonitorState(runDir)?.status).toBe('running');
    expect(readExit(runDir)?.exitCode).toBe(0);
    damage(state, fs.readFileSync(state, 'utf8'));
    damage(exit, fs.readFileSync(exit, 'utf8'));
    checked += 2;
    expect(readMonitorState(runDir)).toBeNull();
    expect(readExit(runDir)).toBeNull();
  });

  it('the IPAM table: NET_STATE_CORRUPT, never a duplicate address', async () => {
    const dir = tmp();
    const subnet = parseSubnet('10.250.0.0/24');
    const ipam = new Ipam(dir, subnet);
    expect(ipam.allocate('c1')).toBe('10.250.0.2');
    const file = path.join(dir, 'ipam.json');
    damage(file, fs.readFileSync(file, 'utf8'));
    checked++;
    expect(await codeOf(() => ipam.allocate('c2'))).toBe('NET_STATE_CORRUPT');
  });

  it('layers.json and index.json: STORE_CORRUPT with the reason', async () => {
    const root = tmp();
    const store = await ImageStore.open({ dataRoot: root });
    for (const file of [store.layersFile, store.indexFile]) {
      const before = fs.readFileSync(file, 'utf8');
      damage(file, before);
      checked++;
      const read = file === store.layersFile ? store.readLayers() : store.readIndex();
      expect(await codeOf(read)).toBe('STORE_CORRUPT');
      fs.rmSync(file, { recursive: true, force: true });
      fs.writeFileSync(file, before);
    }
    expect(await store.list()).toEqual([]);
  });
});

describe('record damage', () => {
  it('a container directory with no record, or a file where the directory should be, is unreadable too', () => {
    const root = tmp();
    const store = new RecordStore(root);
    fs.mkdirSync(path.join(root, 'c', 'c'.repeat(64)));
    fs.writeFileSync(path.join(root, 'c', 'd'.repeat(64)), 'x');
    const reasons = store
      .loadAll()
      .damaged.map((d) => d.reason)
      .sort();
    expect(reasons).toEqual([expect.stringMatching(/is not a directory/), 'container.json is missing']);
  });

  it('a record naming another id is unreadable (a copied directory must not shadow the original)', () => {
    const root = tmp();
    const store = new RecordStore(root);
    const r = record('e'.repeat(64), 'e');
    store.save(r);
    fs.cpSync(store.paths(r.id).dir, path.join(root, 'c', 'f'.repeat(64)), { recursive: true });
    const { records, damaged } = store.loadAll();
    expect(records.map((x) => x.id)).toEqual([r.id]);
    expect(damaged[0]?.reason).toMatch(/names another id/);
    process.stdout.write(`record damage: ${Object.keys(DAMAGE).length} kinds, ${checked} damaged reads checked\n`);
  });
});
